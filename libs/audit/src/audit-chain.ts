import { createHash } from 'node:crypto';

/** A JSON value as it survives a round trip through a `jsonb` column. */
export type JsonValue = null | boolean | number | string | JsonValue[] | JsonObject;
/** A JSON object, such as an audit row's `metadata`. */
export interface JsonObject {
  [key: string]: JsonValue;
}

/** The `prev_hash` of the first row of the chain. */
export const GENESIS_HASH = '0'.repeat(64);

/** The fields of an audit row that its hash covers, as stored. */
export interface ChainedFields {
  prevHash: string;
  type: string;
  userId: string | null;
  sessionId: string | null;
  ipHash: string | null;
  metadata: JsonValue;
  createdAt: Date;
}

/**
 * Reduces `value` to plain JSON exactly as `JSON.stringify` would send it to Postgres
 * (`undefined` keys dropped, Dates turned into ISO strings, ...), so what is hashed at append
 * time is what `jsonb` gives back at verification time.
 */
export function toJsonValue(value: unknown): JsonValue {
  const text = JSON.stringify(value);
  return text === undefined ? null : (JSON.parse(text) as JsonValue);
}

/**
 * Canonical JSON: object keys sorted by UTF-16 code unit at every depth, no whitespace,
 * array order kept. Serialised by hand rather than by building a sorted object, because JS
 * enumerates integer-like keys ("9", "10") first whatever the insertion order, and an
 * outside verifier (any language) must be able to reproduce the bytes.
 */
export function canonicalJson(value: JsonValue): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const keys = Object.keys(value).sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(value[k] ?? null)}`).join(',')}}`;
}

/**
 * The row's hash: hex SHA-256 of the canonical JSON of its stored fields and its
 * predecessor's hash, so rewriting, inserting or dropping any row breaks every later link.
 */
export function computeAuditHash(fields: ChainedFields): string {
  const canonical = canonicalJson({
    prev_hash: fields.prevHash,
    type: fields.type,
    user_id: fields.userId,
    session_id: fields.sessionId,
    ip_hash: fields.ipHash,
    metadata: fields.metadata,
    created_at: fields.createdAt.toISOString(),
  });
  return createHash('sha256').update(canonical, 'utf8').digest('hex');
}
