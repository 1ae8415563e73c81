/**
 * Revocation before expiry. A stolen access token stays cryptographically valid until its
 * `exp`; logout, session revocation and refresh-reuse detection must kill it (and every other
 * token of the session) at once, on every transport, through the one `authenticate()`. The
 * denylist entries must outlive every token they target, and not much longer.
 */
import {
  createTestDatabase,
  TEST_REDIS_URL,
  type TestDatabase,
  uniqueKvPrefix,
} from '@identity/testing';
import { startTokensApp, type TokensTestApp } from './tokens-test-app';

const TTL = 120;

function session(sessionId: string) {
  return { userId: 'u-7', sessionId, roles: ['user'], amr: ['pwd', 'otp'] };
}

describe('access-token revocation', () => {
  let db: TestDatabase;
  let app: TokensTestApp;

  beforeAll(async () => {
    db = await createTestDatabase('tokens_denylist');
    app = await startTokensApp({
      databaseUrl: db.url,
      env: { ACCESS_TOKEN_TTL: String(TTL) },
      redisUrl: TEST_REDIS_URL,
      keyPrefix: uniqueKvPrefix('tokens-deny'),
    });
  });

  afterAll(async () => {
    await app.close();
    await db.drop();
  });

  it('authenticates a live token into its principal', async () => {
    const minted = await app.tokens.mint(session('s-live'));
    expect(await app.authenticator.authenticate(minted.token)).toEqual({
      ok: true,
      principal: {
        userId: 'u-7',
        sessionId: 's-live',
        jti: minted.jti,
        roles: ['user'],
        amr: ['pwd', 'otp'],
        expiresAt: minted.expiresAt,
      },
    });
  });

  it('passes a verification failure through unchanged', async () => {
    expect(await app.authenticator.authenticate('nope')).toEqual({
      ok: false,
      reason: 'malformed',
    });
    const minted = await app.tokens.mint({ ...session('s-aud'), audience: 'billing' });
    expect(await app.authenticator.authenticate(minted.token)).toEqual({
      ok: false,
      reason: 'audience_mismatch',
    });
    expect(
      await app.authenticator.authenticate(minted.token, { audience: 'billing' }),
    ).toMatchObject({
      ok: true,
    });
  });

  it('a denied jti is revoked; other tokens of the session live on', async () => {
    const denied = await app.tokens.mint(session('s-jti'));
    const sibling = await app.tokens.mint(session('s-jti'));
    await app.denylist.denyToken(denied.jti, denied.expiresAt);

    expect(await app.authenticator.authenticate(denied.token)).toEqual({
      ok: false,
      reason: 'revoked',
    });
    expect(await app.authenticator.authenticate(sibling.token)).toMatchObject({ ok: true });
    // Still a valid signature: only the denylist stops it.
    expect(await app.tokens.verify(denied.token)).toMatchObject({ ok: true });

    const ttl = await app.kv.ttl(`deny:jti:${denied.jti}`);
    expect(ttl).toBeGreaterThanOrEqual(TTL - 2);
    expect(ttl).toBeLessThanOrEqual(TTL);
  });

  it('a denied session revokes every token of it at once, and only of it', async () => {
    const a = await app.tokens.mint(session('s-a'));
    const b = await app.tokens.mint(session('s-b'));
    const other = await app.tokens.mint(session('s-other'));
    await app.denylist.denySessions(['s-a', 's-b']);

    expect(await app.authenticator.authenticate(a.token)).toEqual({ ok: false, reason: 'revoked' });
    expect(await app.authenticator.authenticate(b.token)).toEqual({ ok: false, reason: 'revoked' });
    expect(await app.authenticator.authenticate(other.token)).toMatchObject({ ok: true });
    // A token minted later for a revoked session id dies too (the session stays dead).
    const late = await app.tokens.mint(session('s-a'));
    expect(await app.authenticator.authenticate(late.token)).toEqual({
      ok: false,
      reason: 'revoked',
    });

    // No access token outlives the TTL, so the entry lives TTL + 5 s of leeway.
    const ttl = await app.kv.ttl('deny:sid:s-a');
    expect(ttl).toBeGreaterThanOrEqual(TTL + 5 - 1);
    expect(ttl).toBeLessThanOrEqual(TTL + 5);
  });

  it('an already expired token is denied for at least one second', async () => {
    await app.denylist.denyToken('j-old', new Date(Date.now() - 60_000));
    expect(await app.kv.ttl('deny:jti:j-old')).toBe(1);
    await app.denylist.denySessions([]);
  });

  it('fails closed: with the denylist unreachable, authenticate throws instead of admitting', async () => {
    const isolatedDb = await createTestDatabase('tokens_denylist_down');
    const isolated = await startTokensApp({ databaseUrl: isolatedDb.url });
    try {
      const minted = await isolated.tokens.mint(session('s-down'));
      await isolated.kv.close();
      await expect(isolated.authenticator.authenticate(minted.token)).rejects.toThrow();
    } finally {
      await isolated.close();
      await isolatedDb.drop();
    }
  });
});
