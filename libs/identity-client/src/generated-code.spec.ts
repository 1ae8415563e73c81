/**
 * One source of truth: the SDK's message and service types and its proto descriptor are
 * generated from proto/identity/v1/identity.proto and committed. Regenerating into a fresh
 * directory must give the committed files byte for byte, so a proto change that was not
 * regenerated (or a hand edit of the output) fails here.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { generate } = require('../codegen/generate.js') as { generate(outDir: string): void };

const COMMITTED = join(__dirname, 'generated');

function files(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const path = join(d, name);
      if (statSync(path).isDirectory()) walk(path);
      else out.set(relative(dir, path), readFileSync(path, 'utf8'));
    }
  };
  walk(dir);
  return out;
}

describe('code generated from proto/', () => {
  let fresh: string;
  beforeAll(() => {
    fresh = mkdtempSync(join(tmpdir(), 'identity-client-gen-'));
    generate(fresh);
  }, 60_000);
  afterAll(() => rmSync(fresh, { recursive: true, force: true }));

  it('is committed exactly as a regeneration makes it', () => {
    const committed = files(COMMITTED);
    const regenerated = files(fresh);
    expect([...committed.keys()].sort()).toEqual([...regenerated.keys()].sort());
    for (const [name, text] of regenerated) {
      expect({ name, text: committed.get(name) }).toEqual({ name, text });
    }
  });

  it('covers every RPC and message of the proto', () => {
    const proto = readFileSync(
      join(__dirname, '../../../proto/identity/v1/identity.proto'),
      'utf8',
    );
    const messages = [...proto.matchAll(/^message (\w+)/gm)].map((m) => m[1]!);
    const rpcs = [...proto.matchAll(/^\s*rpc (\w+)\(/gm)].map((m) => m[1]!);
    expect(rpcs).toEqual(['VerifyToken', 'GetUserPermissions', 'WatchRevocations']);
    const generated = files(COMMITTED);
    for (const message of messages) {
      expect(generated.has(join('identity/v1', `${message}.ts`))).toBe(true);
    }
    const service = generated.get(join('identity/v1', 'IdentityService.ts'))!;
    for (const rpc of rpcs) expect(service).toContain(`${rpc}: MethodDefinition<`);
  });
});
