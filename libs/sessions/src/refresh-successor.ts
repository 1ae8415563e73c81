import { deriveKey, hashToken, hmac } from '@identity/crypto';

/** A refresh token as handed out, and the only form of it that is stored. */
export interface NewRefreshToken {
  token: string;
  hash: string;
}

/**
 * The successor of a refresh token is derived, not drawn: `HMAC-SHA256(k, parent hash)`, with
 * `k` a subkey of `KEY_ENCRYPTION_KEY` kept for this purpose only. The first token of a family
 * (a sign-in) is 256 random bits; every later one is the keyed hash of its parent's stored
 * hash, 256 bits that nobody without the key can compute or tell from random.
 *
 * Why derived (API.md, `REFRESH_RETRY_WINDOW`): a client whose refresh response was lost
 * presents the rotated token again, and must get *the same* successor back. The server must
 * therefore be able to produce the successor again for a few seconds without keeping it in
 * clear. The two ways to do that:
 * - seal the successor (SecretBox) on the parent's row and clear it after the window: a
 *   migration, a larger row written on every rotation (the hot path), and a sweep, since a
 *   family that stops refreshing never clears its last box by itself;
 * - derive it from the parent: nothing stored at all, the same cost as drawing random bytes,
 *   and the successor's row is found by its hash through the unique index the refresh already
 *   uses (no parent lookup).
 * Derived it is. What it costs: someone holding both the database and the key-encryption key
 * could compute the live token of every family rotated at least once. That pair already hands
 * out everything (the signing keys' private parts are sealed with the same key, so any access
 * token can be minted), and a sealed successor would fall to the same pair; a database leak
 * alone still gives nothing that can be presented (only hashes, as before).
 *
 * A bonus: one parent has exactly one possible successor, so two rotations of one token would
 * collide on `uq_refresh_tokens_token_hash`. "Never two live successors" is enforced by the
 * schema, not only by the locks.
 */
export class RefreshSuccessors {
  private readonly key: Buffer;

  constructor(keyEncryptionKey: Buffer) {
    this.key = deriveKey(keyEncryptionKey, 'refresh-successor');
  }

  /** The one successor of the token whose stored hash is `parentHash`. */
  of(parentHash: string): NewRefreshToken {
    const token = hmac(this.key, `refresh-successor:${parentHash}`);
    return { token, hash: hashToken(token) };
  }
}
