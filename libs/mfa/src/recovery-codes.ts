import { randomBytes } from 'node:crypto';
import { deriveKey, hmac } from '@identity/crypto';

/** How many recovery codes an enrolment (or a regeneration) hands out. */
export const RECOVERY_CODE_COUNT = 10;

/**
 * 32 symbols, without the look-alikes 0/o and 1/l: a code read off paper is typed right.
 * 32 divides 256, so `byte % 32` draws each symbol with equal probability.
 */
const ALPHABET = 'abcdefghijkmnpqrstuvwxyz23456789';
const GROUP = 5;
const SYMBOLS = 2 * GROUP;
const CANONICAL = new RegExp(`^[${ALPHABET}]{${SYMBOLS}}$`);

/**
 * One code: 10 symbols of a 32-symbol alphabet = 50 bits from the CSPRNG, shown as
 * `xxxxx-xxxxx`. With attempts capped per user (API.md: 20 wrong codes an hour) guessing one
 * of ten codes online takes on the order of 10^12 hours.
 */
export function newRecoveryCode(): string {
  const bytes = randomBytes(SYMBOLS);
  const symbols = Array.from(bytes, (b) => ALPHABET[b % ALPHABET.length]).join('');
  return `${symbols.slice(0, GROUP)}-${symbols.slice(GROUP)}`;
}

/** {@link RECOVERY_CODE_COUNT} fresh codes, all distinct. */
export function newRecoveryCodes(): string[] {
  const codes = new Set<string>();
  while (codes.size < RECOVERY_CODE_COUNT) codes.add(newRecoveryCode());
  return [...codes];
}

/**
 * A code as typed (any case, with or without the dash, with stray spaces) in its canonical
 * 10-symbol form; null when it cannot be a code at all.
 */
export function canonicalRecoveryCode(input: string): string | null {
  const symbols = input.toLowerCase().replace(/[\s-]+/g, '');
  return CANONICAL.test(symbols) ? symbols : null;
}

/**
 * How recovery codes are stored: HMAC-SHA256 under a subkey of the key-encryption key, over
 * the owner's id and the canonical code.
 *
 * Keyed rather than argon2 because (1) a code has 50 random bits, so there is no dictionary
 * to slow down; the danger is an offline search of a stolen table, and without the key (which
 * is not in the database) the hashes cannot be searched at all; (2) a deterministic hash lets
 * one indexed `UPDATE ... WHERE code_hash = $1 AND used_at IS NULL` find and burn a code
 * atomically, where salted argon2 would cost ten argon2 verifies per attempt (a CPU lever for
 * anyone with a valid mfa_token) and a read-then-write race. The user id in the input keeps
 * two users' identical codes (astronomically unlikely anyway) from sharing a hash.
 */
export class RecoveryCodeHasher {
  private readonly key: Buffer;

  constructor(keyEncryptionKey: Buffer) {
    this.key = deriveKey(keyEncryptionKey, 'mfa-recovery-code');
  }

  /** The stored hash of a canonical code (see {@link canonicalRecoveryCode}). */
  hash(userId: string, canonicalCode: string): string {
    return hmac(this.key, `${userId}:${canonicalCode}`);
  }
}
