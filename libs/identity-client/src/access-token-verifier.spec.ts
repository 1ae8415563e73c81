/**
 * Attacks on local verification: a token signed with `alg: none`, or with HS256 using the
 * platform's public key as the HMAC secret (algorithm confusion), or by a key of the right
 * `kid` but another algorithm; a token for another audience or issuer; an ID token or other
 * JWT passed off as an access token (`typ`); an expired one replayed after the leeway; a flood
 * of made-up `kid`s to make the service hammer the JWKS. The JWKS is served by a real HTTP
 * server on 127.0.0.1, as the platform serves it.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, type JWK, SignJWT, UnsecuredJWT, type CryptoKey } from 'jose';
import { AccessTokenVerifier } from './access-token-verifier';
import { JwksCache, JwksUnavailableError } from './jwks-cache';

const ISSUER = 'https://id.example.test';
const AUDIENCE = 'identity';

interface SigningKey {
  kid: string;
  alg: string;
  privateKey: CryptoKey;
  jwk: JWK;
}

async function signingKey(kid: string, alg: 'ES256' | 'RS256' | 'EdDSA'): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  return { kid, alg, privateKey, jwk: { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' } };
}

/** The platform's JWKS endpoint: serves `keys` (changeable), counts fetches, can go down. */
class JwksServer {
  keys: JWK[] = [];
  fetches = 0;
  down = false;
  private server: Server | undefined;
  url = '';

  async start(): Promise<void> {
    this.server = createServer((_req, res) => {
      this.fetches += 1;
      if (this.down) {
        res.writeHead(503).end();
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'max-age=300' });
      res.end(JSON.stringify({ keys: this.keys }));
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/jwks.json`;
  }

  stop(): Promise<void> {
    return new Promise((resolve) => this.server!.close(() => resolve()));
  }
}

function token(
  key: SigningKey,
  overrides: { typ?: string; iss?: string; aud?: string; exp?: number; nbf?: number } = {},
  claims: Record<string, unknown> = {},
): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ sid: 'session-1', roles: ['user'], amr: ['pwd'], ...claims })
    .setProtectedHeader({ alg: key.alg, kid: key.kid, typ: overrides.typ ?? 'at+jwt' })
    .setIssuer(overrides.iss ?? ISSUER)
    .setAudience(overrides.aud ?? AUDIENCE)
    .setSubject('user-1')
    .setJti('jti-1')
    .setIssuedAt(now)
    .setNotBefore(overrides.nbf ?? now)
    .setExpirationTime(overrides.exp ?? now + 600)
    .sign(key.privateKey);
}

describe('AccessTokenVerifier', () => {
  const jwks = new JwksServer();
  let es: SigningKey;
  let rs: SigningKey;
  let now = Date.now();
  const verifier = (cooldownMs = 10_000) =>
    new AccessTokenVerifier(
      new JwksCache(jwks.url, { cooldownMs, now: () => now }),
      { issuer: ISSUER, audience: AUDIENCE, clockToleranceSeconds: 5 },
      () => now,
    );

  beforeAll(async () => {
    await jwks.start();
    es = await signingKey('es-1', 'ES256');
    rs = await signingKey('rs-1', 'RS256');
    jwks.keys = [es.jwk, rs.jwk];
  });
  beforeEach(() => {
    now = Date.now();
    jwks.keys = [es.jwk, rs.jwk];
    jwks.down = false;
  });
  afterAll(() => jwks.stop());

  it('accepts a platform access token and reads its claims', async () => {
    const verdict = await verifier().verify(await token(es));
    expect(verdict).toEqual({
      ok: true,
      claims: expect.objectContaining({
        sub: 'user-1',
        sid: 'session-1',
        jti: 'jti-1',
        roles: ['user'],
        amr: ['pwd'],
      }),
    });
  });

  it('refuses a JWT that is not an access token (typ), or for another issuer or audience', async () => {
    const v = verifier();
    expect(await v.verify(await token(es, { typ: 'JWT' }))).toEqual({
      ok: false,
      reason: 'malformed',
    });
    expect(await v.verify(await token(es, { iss: 'https://evil.test' }))).toEqual({
      ok: false,
      reason: 'issuer_mismatch',
    });
    expect(await v.verify(await token(es, { aud: 'billing' }))).toEqual({
      ok: false,
      reason: 'audience_mismatch',
    });
    expect(await v.verify('not.a.jwt')).toEqual({ ok: false, reason: 'malformed' });
  });

  it('allows at most 5 s of leeway on exp and nbf', async () => {
    const v = verifier();
    const exp = Math.floor(now / 1000) + 60;
    const t = await token(es, { exp });
    now = exp * 1000 + 4_000;
    expect(await v.verify(t)).toMatchObject({ ok: true });
    now = exp * 1000 + 6_000;
    expect(await v.verify(t)).toEqual({ ok: false, reason: 'expired' });
    now = Date.now();
    const early = await token(es, { nbf: Math.floor(now / 1000) + 30 });
    expect(await v.verify(early)).toEqual({ ok: false, reason: 'not_yet_valid' });
  });

  it('verifies with the key’s own algorithm only: none, HS256 with the public key, another alg', async () => {
    const v = verifier();
    const unsigned = new UnsecuredJWT({ sid: 's' })
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setSubject('user-1')
      .setExpirationTime('10m')
      .encode();
    // `none` with a typ and kid that would otherwise pass.
    const [, payload] = unsigned.split('.');
    const header = Buffer.from(
      JSON.stringify({ alg: 'none', typ: 'at+jwt', kid: 'es-1' }),
    ).toString('base64url');
    expect(await v.verify(`${header}.${payload}.`)).toMatchObject({ ok: false });

    // HS256 keyed with the ES256 public key's JSON (the classic confusion).
    const secret = new TextEncoder().encode(JSON.stringify(es.jwk));
    const confused = await new SignJWT({ sid: 's', roles: [], amr: [] })
      .setProtectedHeader({ alg: 'HS256', kid: 'es-1', typ: 'at+jwt' })
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setSubject('user-1')
      .setJti('j')
      .setIssuedAt()
      .setExpirationTime('10m')
      .sign(secret);
    expect(await v.verify(confused)).toEqual({ ok: false, reason: 'invalid_signature' });

    // Signed by the RS256 key, but its header names the ES256 key.
    const rsBody = await token(rs);
    const [, body, signature] = rsBody.split('.');
    const lying = Buffer.from(
      JSON.stringify({ alg: 'RS256', kid: 'es-1', typ: 'at+jwt' }),
    ).toString('base64url');
    expect(await v.verify(`${lying}.${body}.${signature}`)).toEqual({
      ok: false,
      reason: 'invalid_signature',
    });
  });

  it('fetches the JWKS again for an unknown kid (a rotation), at most once per cooldown', async () => {
    const v = verifier(1_000);
    expect(await v.verify(await token(es))).toMatchObject({ ok: true });
    const fetched = jwks.fetches;
    const next = await signingKey('es-2', 'ES256');
    jwks.keys = [es.jwk, next.jwk];
    // Within the cooldown the new kid cannot be decided here (the platform is asked instead):
    // never refused as unknown while the JWKS might already hold it.
    await expect(v.verify(await token(next))).rejects.toBeInstanceOf(JwksUnavailableError);
    expect(jwks.fetches).toBe(fetched);
    now += 1_000;
    expect(await v.verify(await token(next))).toMatchObject({ ok: true });
    expect(jwks.fetches).toBe(fetched + 1);

    // Made-up kids: one fetch says they are not published; then nothing until the cooldown.
    now += 1_000;
    const stranger = await signingKey('made-up', 'ES256');
    expect(await v.verify(await token(stranger))).toEqual({ ok: false, reason: 'unknown_key' });
    for (let i = 0; i < 20; i++) {
      await expect(v.verify(await token(stranger))).rejects.toBeInstanceOf(JwksUnavailableError);
    }
    expect(jwks.fetches).toBe(fetched + 2);
  });

  it('ignores keys without alg and private keys in the JWKS', async () => {
    const bare = await signingKey('bare', 'ES256');
    const { alg: _alg, ...withoutAlg } = bare.jwk;
    jwks.keys = [withoutAlg];
    expect(await verifier().verify(await token(bare))).toEqual({
      ok: false,
      reason: 'unknown_key',
    });
  });

  it('cannot decide (throws) when the JWKS is down and the key unknown; known keys keep working', async () => {
    jwks.down = true;
    await expect(verifier().verify(await token(es))).rejects.toBeInstanceOf(JwksUnavailableError);

    jwks.down = false;
    const warm = verifier(0);
    expect(await warm.verify(await token(es))).toMatchObject({ ok: true });
    jwks.down = true;
    expect(await warm.verify(await token(es))).toMatchObject({ ok: true });
  });
});
