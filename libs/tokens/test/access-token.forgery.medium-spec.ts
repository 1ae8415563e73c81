/**
 * Forged and altered access tokens. An attacker holds valid tokens, the public JWKS and a
 * clock, and tries: `alg: none`; HS256 keyed with our public key (algorithm confusion); a kid
 * we never issued; another `typ` (an ID token or some other JWT passed off as an access
 * token); another issuer or audience; an expired or not-yet-valid token; an edited payload;
 * a token signed by a key of their own under our kid. Each must be refused, with the reason
 * the gRPC `VerifyToken` reports.
 */
import {
  base64url,
  createLocalJWKSet,
  decodeJwt,
  decodeProtectedHeader,
  exportSPKI,
  generateKeyPair,
  importJWK,
  jwtVerify,
  SignJWT,
  UnsecuredJWT,
  type JWTPayload,
} from 'jose';
import { createTestDatabase, type TestDatabase } from '@identity/testing';
import {
  nowSeconds,
  registerTestKey,
  startTokensApp,
  TEST_ISSUER,
  type RegisteredTestKey,
  type TokensTestApp,
} from './tokens-test-app';

const user = { userId: 'u-42', sessionId: 's-42', roles: ['user', 'auditor'], amr: ['pwd', 'otp'] };

describe('access tokens', () => {
  let db: TestDatabase;
  let app: TokensTestApp;
  let testKey: RegisteredTestKey;

  beforeAll(async () => {
    db = await createTestDatabase('tokens_forgery');
    app = await startTokensApp({ databaseUrl: db.url });
    testKey = await registerTestKey(app);
  });

  afterAll(async () => {
    await app.close();
    await db.drop();
  });

  /** Claims the service would accept (all of them, valid now), with `overrides` applied. */
  function claims(overrides: Record<string, unknown> = {}): JWTPayload {
    const iat = nowSeconds();
    return {
      iss: TEST_ISSUER,
      aud: 'identity',
      sub: 'u-1',
      jti: 'j-1',
      iat,
      nbf: iat,
      exp: iat + 60,
      sid: 's-1',
      roles: ['user'],
      amr: ['pwd'],
      ...overrides,
    };
  }

  /** A token signed with the registered test key: valid unless the overrides break it. */
  function craft(
    options: { header?: Record<string, unknown>; claims?: Record<string, unknown> } = {},
  ): Promise<string> {
    return new SignJWT(claims(options.claims))
      .setProtectedHeader({ alg: 'ES256', kid: testKey.kid, typ: 'at+jwt', ...options.header })
      .sign(testKey.privateKey);
  }

  function encodePart(value: object): string {
    return base64url.encode(JSON.stringify(value));
  }

  describe('mint and verify', () => {
    it('round-trips with exactly the contract claims and header', async () => {
      const minted = await app.tokens.mint(user);
      const header = decodeProtectedHeader(minted.token);
      expect(header).toEqual({ alg: 'ES256', kid: app.keys.signingKey().kid, typ: 'at+jwt' });
      const payload = decodeJwt(minted.token);
      expect(Object.keys(payload).sort()).toEqual(
        ['amr', 'aud', 'exp', 'iat', 'iss', 'jti', 'nbf', 'roles', 'sid', 'sub'].sort(),
      );
      expect(payload).toMatchObject({
        iss: TEST_ISSUER,
        aud: 'identity',
        sub: user.userId,
        sid: user.sessionId,
        jti: minted.jti,
        roles: user.roles,
        amr: user.amr,
      });
      expect(payload.nbf).toBe(payload.iat);
      expect(payload.exp).toBe(payload.iat! + 600);
      expect(minted.expiresIn).toBe(600);
      expect(minted.expiresAt.getTime()).toBe(payload.exp! * 1000);

      const verified = await app.tokens.verify(minted.token);
      expect(verified).toEqual({ ok: true, claims: payload });
    });

    it('verifies with an independent verifier fed only the published JWKS', async () => {
      const minted = await app.tokens.mint(user);
      const jwks = createLocalJWKSet(app.keys.jwks());
      const { payload, protectedHeader } = await jwtVerify(minted.token, jwks, {
        issuer: TEST_ISSUER,
        audience: 'identity',
        typ: 'at+jwt',
      });
      expect(payload.sub).toBe(user.userId);
      expect(protectedHeader.kid).toBe(app.keys.signingKey().kid);
    });

    it('publishes public members only, each key labelled with kid, alg and use', () => {
      for (const key of app.keys.jwks().keys) {
        expect(key).toMatchObject({ kty: 'EC', crv: 'P-256', alg: 'ES256', use: 'sig' });
        expect(key).not.toHaveProperty('d');
        expect(Object.keys(key).sort()).toEqual(['alg', 'crv', 'kid', 'kty', 'use', 'x', 'y']);
      }
    });

    it('gives each token a fresh jti', async () => {
      const jtis = new Set(
        await Promise.all([1, 2, 3].map(async () => (await app.tokens.mint(user)).jti)),
      );
      expect(jtis.size).toBe(3);
    });

    it('binds the audience: a token for another audience verifies only for it', async () => {
      const minted = await app.tokens.mint({ ...user, audience: 'billing' });
      expect(await app.tokens.verify(minted.token)).toEqual({
        ok: false,
        reason: 'audience_mismatch',
      });
      expect(await app.tokens.verify(minted.token, { audience: 'billing' })).toMatchObject({
        ok: true,
      });
    });

    it('accepts a crafted token with valid claims (so each rejection below has one cause)', async () => {
      expect(await app.tokens.verify(await craft())).toMatchObject({ ok: true });
    });
  });

  describe('rejects', () => {
    const now = nowSeconds;

    it.each([
      ['garbage', 'not-a-jwt'],
      ['an empty string', ''],
      ['three empty parts', '..'],
      ['a JSON header that is not base64url', 'eyJ!.eyJ.sig'],
    ])('%s as malformed', async (_label, token) => {
      expect(await app.tokens.verify(token)).toEqual({ ok: false, reason: 'malformed' });
    });

    it('alg none (an unsecured JWT under our kid) as invalid_signature', async () => {
      const header = encodePart({ alg: 'none', kid: testKey.kid, typ: 'at+jwt' });
      const token = `${header}.${encodePart(claims())}.`;
      expect(await app.tokens.verify(token)).toEqual({ ok: false, reason: 'invalid_signature' });
      const plain = new UnsecuredJWT(claims()).encode();
      expect(await app.tokens.verify(plain)).toEqual({ ok: false, reason: 'malformed' });
    });

    it('HS256 keyed with our public key (algorithm confusion) as invalid_signature', async () => {
      const activeKid = app.keys.signingKey().kid;
      const jwk = app.keys.jwks().keys.find((k) => k.kid === activeKid)!;
      const pem = await exportSPKI(await importJWK(jwk, jwk.alg, { extractable: true }));
      for (const secret of [pem, JSON.stringify(jwk)]) {
        const token = await new SignJWT(claims())
          .setProtectedHeader({ alg: 'HS256', kid: activeKid, typ: 'at+jwt' })
          .sign(new TextEncoder().encode(secret));
        expect(await app.tokens.verify(token)).toEqual({ ok: false, reason: 'invalid_signature' });
      }
    });

    it('another asymmetric alg than the key’s own as invalid_signature', async () => {
      const token = await craft();
      const [, payload, signature] = token.split('.');
      const header = encodePart({ alg: 'ES384', kid: testKey.kid, typ: 'at+jwt' });
      const forged = `${header}.${payload}.${signature}`;
      expect(await app.tokens.verify(forged)).toEqual({ ok: false, reason: 'invalid_signature' });
    });

    it('a kid we never issued, or none, as unknown_key', async () => {
      const stranger = await generateKeyPair('ES256');
      const unknown = await new SignJWT(claims())
        .setProtectedHeader({ alg: 'ES256', kid: 'not-ours', typ: 'at+jwt' })
        .sign(stranger.privateKey);
      expect(await app.tokens.verify(unknown)).toEqual({ ok: false, reason: 'unknown_key' });
      const noKid = await new SignJWT(claims())
        .setProtectedHeader({ alg: 'ES256', typ: 'at+jwt' })
        .sign(testKey.privateKey);
      expect(await app.tokens.verify(noKid)).toEqual({ ok: false, reason: 'unknown_key' });
    });

    it('a key of the attacker’s own under our kid as invalid_signature', async () => {
      const stranger = await generateKeyPair('ES256');
      const token = await new SignJWT(claims())
        .setProtectedHeader({ alg: 'ES256', kid: testKey.kid, typ: 'at+jwt' })
        .sign(stranger.privateKey);
      expect(await app.tokens.verify(token)).toEqual({ ok: false, reason: 'invalid_signature' });
    });

    it.each([['JWT'], ['application/jwt'], [undefined]])('typ %s as malformed', async (typ) => {
      const token = await craft({ header: { typ } });
      expect(await app.tokens.verify(token)).toEqual({ ok: false, reason: 'malformed' });
    });

    it('another issuer as issuer_mismatch', async () => {
      const token = await craft({ claims: { iss: 'https://evil.example' } });
      expect(await app.tokens.verify(token)).toEqual({ ok: false, reason: 'issuer_mismatch' });
    });

    it('another audience as audience_mismatch', async () => {
      const token = await craft({ claims: { aud: 'some-other-api' } });
      expect(await app.tokens.verify(token)).toEqual({ ok: false, reason: 'audience_mismatch' });
    });

    it('an expired token as expired, allowing at most 5 s of clock skew', async () => {
      const expired = await craft({
        claims: { iat: now() - 100, nbf: now() - 100, exp: now() - 7 },
      });
      expect(await app.tokens.verify(expired)).toEqual({ ok: false, reason: 'expired' });
      const skewed = await craft({
        claims: { iat: now() - 100, nbf: now() - 100, exp: now() - 3 },
      });
      expect(await app.tokens.verify(skewed)).toMatchObject({ ok: true });
    });

    it('a token living longer than the access TTL as expired', async () => {
      const token = await craft({
        claims: { iat: now() - 700, nbf: now() - 700, exp: now() + 60 },
      });
      expect(await app.tokens.verify(token)).toEqual({ ok: false, reason: 'expired' });
    });

    it('a token not valid yet as not_yet_valid, allowing at most 5 s of clock skew', async () => {
      const early = await craft({ claims: { nbf: now() + 60 } });
      expect(await app.tokens.verify(early)).toEqual({ ok: false, reason: 'not_yet_valid' });
      const issuedLater = await craft({ claims: { iat: now() + 60, nbf: now() + 60 } });
      expect(await app.tokens.verify(issuedLater)).toEqual({ ok: false, reason: 'not_yet_valid' });
      const skewed = await craft({ claims: { iat: now() + 3, nbf: now() + 3 } });
      expect(await app.tokens.verify(skewed)).toMatchObject({ ok: true });
    });

    it('an edited payload (roles raised to admin) as invalid_signature', async () => {
      const minted = await app.tokens.mint(user);
      const [header, , signature] = minted.token.split('.');
      const payload = { ...decodeJwt(minted.token), roles: ['admin'] };
      const tampered = `${header}.${encodePart(payload)}.${signature}`;
      expect(await app.tokens.verify(tampered)).toEqual({ ok: false, reason: 'invalid_signature' });
    });

    it.each([
      ['without exp', { exp: undefined }],
      ['without nbf', { nbf: undefined }],
      ['without jti', { jti: undefined }],
      ['without sid', { sid: undefined }],
      ['with an empty sub', { sub: '' }],
      ['with roles not an array', { roles: 'admin' }],
      ['with amr holding a number', { amr: ['pwd', 1] }],
      ['with a non-numeric exp', { exp: 'tomorrow' }],
    ])('a signed token %s as malformed', async (_label, overrides) => {
      const token = await craft({ claims: overrides });
      expect(await app.tokens.verify(token)).toEqual({ ok: false, reason: 'malformed' });
    });
  });

  describe.each(['RS256', 'EdDSA'] as const)('with JWT_ALG=%s', (alg) => {
    let algDb: TestDatabase;
    let algApp: TokensTestApp;

    beforeAll(async () => {
      algDb = await createTestDatabase(`tokens_${alg}`);
      algApp = await startTokensApp({ databaseUrl: algDb.url, env: { JWT_ALG: alg } });
    });

    afterAll(async () => {
      await algApp.close();
      await algDb.drop();
    });

    it('mints and verifies, for us and for an independent verifier', async () => {
      const minted = await algApp.tokens.mint(user);
      expect(decodeProtectedHeader(minted.token)).toMatchObject({ alg, typ: 'at+jwt' });
      expect(await algApp.tokens.verify(minted.token)).toMatchObject({ ok: true });
      const jwks = algApp.keys.jwks();
      expect(jwks.keys).toEqual([expect.objectContaining({ alg, use: 'sig' })]);
      expect(jwks.keys[0]).not.toHaveProperty('d');
      await expect(
        jwtVerify(minted.token, createLocalJWKSet(jwks), {
          issuer: TEST_ISSUER,
          audience: 'identity',
        }),
      ).resolves.toBeDefined();
    });
  });
});
