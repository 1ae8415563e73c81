import { readFileSync } from 'node:fs';
import { join } from 'node:path';

// Nothing heavier than node:fs here: the bench's bare gRPC ceiling imports this file too.

/** Where `proto/` is, from source (ts) and from the build (`dist/apps/identity/...`). */
export function protoRoot(): string {
  for (const candidate of [
    join(__dirname, '../../../../proto'),
    join(__dirname, '../../../proto'),
    join(process.cwd(), 'proto'),
  ]) {
    try {
      readFileSync(join(candidate, 'identity/v1/identity.proto'));
      return candidate;
    } catch {
      // try the next place
    }
  }
  throw new Error('proto/identity/v1/identity.proto not found');
}

/**
 * How the server loads the protos: field names as written (`user_id`), int64 as numbers, enums
 * as names, defaults filled in. In-repo clients (tests, bench) load them the same way.
 */
export const PROTO_LOADER_OPTIONS = {
  keepCase: true,
  longs: Number,
  enums: String,
  defaults: true,
  oneofs: true,
};
