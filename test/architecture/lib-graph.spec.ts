/**
 * The shape of the code, checked: the lib graph has one direction (no lib imports a lib that
 * imports it back, directly or through others), the `users` table appears in SQL in one lib
 * only, and the small shared rules have one definition each. A change that reintroduces a
 * knot fails here, not in a reviewer's head.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const ROOT = join(__dirname, '../..');
const LIBS = join(ROOT, 'libs');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return /\.ts$/.test(name) && !/\.(spec|medium-spec|e2e-spec)\.ts$/.test(name) ? [path] : [];
  });
}

const libNames = readdirSync(LIBS).filter((name) => statSync(join(LIBS, name)).isDirectory());
const sources = new Map(libNames.map((lib) => [lib, sourceFiles(join(LIBS, lib, 'src'))]));

function importsOf(lib: string): Set<string> {
  const deps = new Set<string>();
  for (const file of sources.get(lib) ?? []) {
    for (const match of readFileSync(file, 'utf8').matchAll(/from '@identity\/([a-z-]+)'/g)) {
      if (match[1] !== lib) deps.add(match[1]!);
    }
  }
  return deps;
}

const graph = new Map(libNames.map((lib) => [lib, importsOf(lib)]));

/** Every cycle reachable from `start`, as the path that closes it. */
function cyclesFrom(start: string): string[][] {
  const found: string[][] = [];
  const walk = (node: string, path: string[]) => {
    for (const next of graph.get(node) ?? []) {
      if (next === start) found.push([...path, next]);
      else if (!path.includes(next)) walk(next, [...path, next]);
    }
  };
  walk(start, [start]);
  return found;
}

/** Files (relative) of `libs/<lib>/src` whose text matches `pattern`. */
function filesMatching(pattern: RegExp): string[] {
  return [...sources.values()]
    .flat()
    .filter((file) => pattern.test(readFileSync(file, 'utf8')))
    .map((file) => relative(ROOT, file));
}

describe('the lib graph', () => {
  it('knows every lib (a guard against this test reading nothing)', () => {
    expect(libNames).toEqual(expect.arrayContaining(['users', 'signin', 'accounts', 'kernel']));
    expect(graph.get('signin')).toEqual(expect.any(Set));
    expect([...graph.get('signin')!]).toContain('users');
  });

  it('has no cycle: no lib imports a lib that imports it back', () => {
    expect(libNames.flatMap(cyclesFrom)).toEqual([]);
  });

  it('keeps users at the bottom: it imports infrastructure only', () => {
    expect([...graph.get('users')!].sort()).toEqual(['database']);
  });

  it('keeps the SDK separable: libs/identity-client imports no other lib, nor any file outside it', () => {
    expect([...graph.get('identity-client')!]).toEqual([]);
    const sdk = join(LIBS, 'identity-client');
    const escapes = (sources.get('identity-client') ?? []).filter((file) =>
      [...readFileSync(file, 'utf8').matchAll(/from '(\.{1,2}\/[^']*)'/g)].some(
        (m) => !join(file, '..', m[1]!).startsWith(sdk),
      ),
    );
    expect(sources.get('identity-client')!.length).toBeGreaterThan(5);
    expect(escapes.map((file) => relative(ROOT, file))).toEqual([]);
  });

  it('keeps the socket contract importable by browsers: libs/sessions-socket imports nothing', () => {
    expect([...graph.get('sessions-socket')!]).toEqual([]);
    const imports = (sources.get('sessions-socket') ?? []).flatMap((file) =>
      [...readFileSync(file, 'utf8').matchAll(/from '([^']+)'/g)].map((m) => m[1]!),
    );
    expect(imports.length).toBeGreaterThan(0);
    expect(imports.filter((spec) => !spec.startsWith('./'))).toEqual([]);
  });

  it('names the users table in SQL in libs/users only', () => {
    const sql = /\b(FROM|JOIN|UPDATE|INTO)\s+users\b/;
    expect(filesMatching(sql).every((file) => file.startsWith('libs/users/'))).toBe(true);
    expect(filesMatching(sql).length).toBeGreaterThan(0);
  });

  it('defines each small shared rule once', () => {
    const once = (pattern: RegExp) => filesMatching(pattern);
    expect(once(/export function normalizeEmail\(/)).toEqual(['libs/users/src/email.ts']);
    expect(once(/function assertUnreachable\(/)).toEqual(['libs/kernel/src/domain-error.ts']);
    expect(once(/\[0-9a-f\]\{8\}-\[0-9a-f\]\{4\}/)).toEqual(['libs/kernel/src/uuid.ts']);
    // A refusal with a typed code is a DomainError; only technical errors extend Error.
    expect(once(/class \w+ extends Error \{[^}]*readonly code\b/)).toEqual([]);
    expect(once(/extends DomainError</).length).toBeGreaterThanOrEqual(8);
  });
});
