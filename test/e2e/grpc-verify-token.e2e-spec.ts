/**
 * `VerifyToken` and `GetUserPermissions` as internal services meet them (API.md, gRPC).
 * Attack: a service trusts a token that is forged, expired, meant for another audience or
 * issuer, or whose session was ended (logout, logout-all, refresh reuse) or whose account an
 * admin locked. Each crafted token must come back inactive with its documented reason, and a
 * revocation must count from the moment the REST call that caused it has answered.
 */
import { status } from '@grpc/grpc-js';
import { decodeJwt, exportJWK, generateKeyPair, type JWTPayload, SignJWT } from 'jose';
import request from 'supertest';
import { login } from '@identity/testing';
import { SigningKeyService } from '@identity/tokens';
import { type AdminHarness, bearer, startAdminHarness, type TestUser } from './admin.fixtures';
import { GrpcTestClient } from './grpc.fixtures';

describe('gRPC IdentityService', () => {
  let h: AdminHarness;
  let grpc: GrpcTestClient;

  beforeAll(async () => {
    h = await startAdminHarness({
      label: 'grpc_verify',
      // REFRESH_RETRY_WINDOW=0: a replayed refresh token is reuse at once, not a retry.
      env: { ADMIN_REQUIRE_MFA: 'false', REFRESH_RETRY_WINDOW: '0' },
    });
    grpc = new GrpcTestClient(h.app.grpcAddress);
  });
  afterAll(async () => {
    grpc.close();
    await h.close();
  });

  const creds = (u: TestUser) => ({ email: u.email, password: u.password });
  const now = () => Math.floor(Date.now() / 1000);

  /** A token signed by the platform's own active key, with `claims` over realistic ones. */
  const craft = async (user: TestUser, claims: JWTPayload = {}): Promise<string> => {
    const signer = h.app.running.app.get(SigningKeyService).signingKey();
    const iat = now();
    return new SignJWT({
      iss: h.app.config.jwt.issuer,
      aud: h.app.config.jwt.audience,
      sub: user.userId,
      jti: `crafted-${Math.random().toString(36).slice(2)}`,
      sid: user.sessionId,
      roles: ['user'],
      amr: ['pwd'],
      iat,
      nbf: iat,
      exp: iat + 300,
      ...claims,
    })
      .setProtectedHeader({ alg: signer.alg, kid: signer.kid, typ: 'at+jwt' })
      .sign(signer.privateKey);
  };

  const expectInactive = async (token: string, reason: string, audience = '') => {
    expect(await grpc.verifyToken(token, audience)).toEqual({
      active: false,
      user_id: '',
      session_id: '',
      roles: [],
      permissions: [],
      expires_at: 0,
      reason,
      mfa: false,
      jti: '',
    });
  };

  it('reports a good token active, with the user’s roles and permissions', async () => {
    const user = await h.signUp('good');
    const claims = decodeJwt(user.accessToken);
    expect(await grpc.verifyToken(user.accessToken)).toEqual({
      active: true,
      user_id: user.userId,
      session_id: user.sessionId,
      roles: ['user'],
      permissions: [],
      expires_at: claims.exp,
      reason: '',
      mfa: false,
      jti: claims.jti,
    });
    expect(claims.exp! - now()).toBeGreaterThan(500);
    const admin = await grpc.verifyToken(h.admin.accessToken, h.app.config.jwt.audience);
    expect(admin).toMatchObject({
      active: true,
      roles: ['admin', 'user'],
      permissions: ['identity:admin'],
    });
  });

  it('sets mfa when amr holds a second factor', async () => {
    const user = await h.signUp('mfa');
    for (const [amr, mfa] of [
      [['pwd', 'otp'], true],
      [['pwd', 'rec'], true],
      [['pwd'], false],
    ] as const) {
      const reply = await grpc.verifyToken(await craft(user, { amr: [...amr] }));
      expect({ amr, active: reply.active, mfa: reply.mfa }).toEqual({ amr, active: true, mfa });
    }
  });

  it('refuses an empty token with INVALID_ARGUMENT', async () => {
    await expect(grpc.verifyToken('')).rejects.toMatchObject({ code: status.INVALID_ARGUMENT });
  });

  it('produces each documented reason from a crafted token', async () => {
    const user = await h.signUp('crafted');
    await expectInactive('not-a-jwt', 'malformed');
    await expectInactive('x'.repeat(10_000), 'malformed');
    const signer = h.app.running.app.get(SigningKeyService).signingKey();
    const plainJwt = await new SignJWT({ sub: user.userId })
      .setProtectedHeader({ alg: signer.alg, kid: signer.kid, typ: 'JWT' })
      .sign(signer.privateKey);
    await expectInactive(plainJwt, 'malformed');

    const [header, payload] = user.accessToken.split('.');
    const otherSignature = (await craft(user)).split('.')[2];
    await expectInactive(`${header}.${payload}.${otherSignature}`, 'invalid_signature');

    const rogue = await generateKeyPair('ES256', { extractable: true });
    const rogueToken = await new SignJWT({ ...decodeJwt(user.accessToken) })
      .setProtectedHeader({ alg: 'ES256', kid: 'rogue-key', typ: 'at+jwt' })
      .sign(rogue.privateKey);
    expect((await exportJWK(rogue.publicKey)).kty).toBe('EC');
    await expectInactive(rogueToken, 'unknown_key');

    await expectInactive(
      await craft(user, { iat: now() - 120, nbf: now() - 120, exp: now() - 60 }),
      'expired',
    );
    await expectInactive(await craft(user, { nbf: now() + 120 }), 'not_yet_valid');
    await expectInactive(await craft(user, { aud: 'billing' }), 'audience_mismatch');
    await expectInactive(user.accessToken, 'audience_mismatch', 'billing');
    await expectInactive(await craft(user, { iss: 'https://evil.example' }), 'issuer_mismatch');
    // The audience asked for is honoured: a token minted for `billing` passes when asked so.
    expect((await grpc.verifyToken(await craft(user, { aud: 'billing' }), 'billing')).active).toBe(
      true,
    );
  });

  it('turns a token inactive at once after logout, logout-all, refresh reuse and lock', async () => {
    const user = await h.signUp('revoked');
    await request(h.app.url)
      .post('/auth/logout')
      .set(bearer(user.accessToken))
      .send({})
      .expect(204);
    await expectInactive(user.accessToken, 'revoked');

    const a = await login(h.app.url, creds(user));
    const b = await login(h.app.url, creds(user));
    expect((await grpc.verifyToken(b.accessToken)).active).toBe(true);
    await request(h.app.url).post('/auth/logout-all').set(bearer(a.accessToken)).expect(204);
    await expectInactive(a.accessToken, 'revoked');
    await expectInactive(b.accessToken, 'revoked');

    const c = await login(h.app.url, creds(user));
    const rotated = await request(h.app.url)
      .post('/auth/refresh')
      .send({ refresh_token: c.refreshToken });
    expect(rotated.status).toBe(200);
    expect((await grpc.verifyToken(rotated.body.access_token)).active).toBe(true);
    const replay = await request(h.app.url)
      .post('/auth/refresh')
      .send({ refresh_token: c.refreshToken });
    expect(replay.body.code).toBe('refresh_reused');
    await expectInactive(rotated.body.access_token, 'revoked');
    await expectInactive(c.accessToken, 'revoked');

    const d = await login(h.app.url, creds(user));
    expect((await grpc.verifyToken(d.accessToken)).active).toBe(true);
    await request(h.app.url)
      .post(`/admin/users/${user.userId}/lock`)
      .set(bearer(h.admin.accessToken))
      .expect(204);
    await expectInactive(d.accessToken, 'user_locked');
    // Even a token that escaped the denylist (minted for a live-looking session) is refused.
    await expectInactive(
      await craft(user, { sid: '5d9a3a8e-0c44-4b0e-9f51-6b2f9c0d1e2a' }),
      'user_locked',
    );
    await request(h.app.url)
      .post(`/admin/users/${user.userId}/unlock`)
      .set(bearer(h.admin.accessToken))
      .expect(204);
    // Unlocking does not bring the killed sessions back.
    await expectInactive(d.accessToken, 'revoked');
  });

  describe('GetUserPermissions', () => {
    it('answers INVALID_ARGUMENT for a malformed id and NOT_FOUND for an unknown one', async () => {
      await expect(grpc.getUserPermissions('not-a-uuid')).rejects.toMatchObject({
        code: status.INVALID_ARGUMENT,
      });
      await expect(grpc.getUserPermissions('')).rejects.toMatchObject({
        code: status.INVALID_ARGUMENT,
      });
      await expect(
        grpc.getUserPermissions('00000000-0000-4000-8000-000000000000'),
      ).rejects.toMatchObject({ code: status.NOT_FOUND });
    });

    it('reflects a role change made through the admin API immediately', async () => {
      const user = await h.signUp('perms');
      expect(await grpc.getUserPermissions(user.userId)).toEqual({
        user_id: user.userId,
        roles: ['user'],
        permissions: [],
      });
      const asAdmin = bearer(h.admin.accessToken);
      await request(h.app.url)
        .put('/admin/roles/reporter')
        .set(asAdmin)
        .send({ permissions: ['reports:generate'] })
        .expect(200);
      await request(h.app.url)
        .put(`/admin/users/${user.userId}/roles`)
        .set(asAdmin)
        .send({ roles: ['user', 'reporter'] })
        .expect(200);
      expect(await grpc.getUserPermissions(user.userId.toUpperCase())).toEqual({
        user_id: user.userId,
        roles: ['reporter', 'user'],
        permissions: ['reports:generate'],
      });
      // The token minted before the change reports the permissions of now.
      expect(await grpc.verifyToken(user.accessToken)).toMatchObject({
        active: true,
        roles: ['reporter', 'user'],
        permissions: ['reports:generate'],
      });
      await request(h.app.url)
        .put('/admin/roles/reporter')
        .set(asAdmin)
        .send({ permissions: ['reports:read'] })
        .expect(200);
      expect((await grpc.getUserPermissions(user.userId)).permissions).toEqual(['reports:read']);
    });
  });
});
