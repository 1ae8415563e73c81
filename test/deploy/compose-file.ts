import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv from 'ajv';
import { parse } from 'yaml';

export const ROOT = join(__dirname, '../..');

export const readRepoFile = (path: string): string => readFileSync(join(ROOT, path), 'utf8');

/**
 * Compose's variable interpolation over every string of a parsed file, as `docker compose
 * config` does it: `${VAR}`, `${VAR:-default}` / `${VAR-default}`, `${VAR:?error}` /
 * `${VAR?error}` (throws with the error), `$$` for a literal `$`.
 * @throws Error naming the variable when a required one is missing.
 */
export function interpolate<T>(value: T, env: Record<string, string | undefined>): T {
  if (typeof value === 'string') {
    const replaced = value.replace(
      /\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?)([-?])([^}]*))?\}/g,
      (whole, name: string | undefined, colon: string, op: string, arg: string) => {
        if (whole === '$$') return '$';
        const v = env[name ?? ''];
        const missing = colon ? v === undefined || v === '' : v === undefined;
        if (op === '?' && missing) throw new Error(`${name}: ${arg || 'required'}`);
        if (op === '-' && missing) return arg;
        return v ?? '';
      },
    );
    return replaced as T;
  }
  if (Array.isArray(value)) return value.map((v: unknown) => interpolate(v, env)) as T;
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, interpolate(v, env)])) as T;
  }
  return value;
}

/** A validator for the vendored Compose Specification schema (deploy/schemas/). */
export function composeSchemaValidator() {
  // The schema names its draft-07 meta-schema by an https URL that Ajv knows as http; Ajv's
  // default meta-schema is draft-07, so the reference is dropped rather than fetched.
  const { $schema: _draft, ...schema } = JSON.parse(
    readRepoFile('deploy/schemas/compose-spec.json'),
  ) as Record<string, unknown>;
  return new Ajv({ strict: false, allErrors: true }).compile(schema);
}

/** docker-compose.yml, parsed (duplicate keys are an error, as in Compose). */
export function readCompose(): ComposeFile {
  return parse(readRepoFile('docker-compose.yml'), { uniqueKeys: true }) as ComposeFile;
}

export interface ComposeService {
  image?: string;
  build?: { context: string; dockerfile?: string };
  command?: string[];
  environment?: Record<string, string>;
  volumes?: string[];
  secrets?: (string | { source: string })[];
  ports?: string[];
  networks?: Record<string, { ipv4_address?: string } | null>;
  depends_on?: Record<string, { condition: string }>;
}

export interface ComposeFile {
  services: Record<string, ComposeService>;
  volumes?: Record<string, unknown>;
  secrets?: Record<string, unknown>;
  networks?: Record<string, { ipam?: { config?: { subnet: string }[] } }>;
}
