/**
 * Admin routes demand a second factor (`ADMIN_REQUIRE_MFA`, default true). Attack: a stolen
 * admin password alone opens the admin API. A password-only session is refused with
 * `mfa_required`; the same admin, once enrolled in TOTP and signed in with a code (amr `otp`)
 * or a recovery code (amr `rec`), is served; and VerifyToken reports `mfa` for such tokens.
 */
import request from 'supertest';
import { type AdminHarness, bearer, startAdminHarness } from './admin.fixtures';
import { GrpcTestClient } from './grpc.fixtures';
import { claimsOf, codeFor, enrol, passwordStep, steadyStep } from './mfa.helpers';
import { ManualClock } from '../support/clock';

/** The apps' time: TOTP steps are entered by moving it, never waited for. */
const clock = new ManualClock();

describe('admin routes with a second factor', () => {
  let h: AdminHarness;
  let grpc: GrpcTestClient;
  beforeAll(async () => {
    h = await startAdminHarness({
      clock,
      label: 'admin_mfa',
    });
    grpc = new GrpcTestClient(h.app.grpcAddress);
  });
  afterAll(async () => {
    grpc.close();
    await h.close();
  });

  it('refuses a password-only admin, serves the same admin signed in with TOTP or a recovery code', async () => {
    const refused = await request(h.app.url).get('/admin/roles').set(bearer(h.admin.accessToken));
    expect(refused.status).toBe(403);
    expect(refused.body.code).toBe('mfa_required');

    const step = await steadyStep(clock);
    const { secret, recoveryCodes } = await enrol(
      h.app.url,
      h.admin.accessToken,
      h.admin.password,
      step,
    );
    const creds = { email: h.admin.email, password: h.admin.password };

    const withOtp = await request(h.app.url)
      .post('/auth/mfa/verify')
      .send({ mfa_token: await passwordStep(h.app.url, creds), code: codeFor(secret, step) });
    expect(withOtp.status).toBe(200);
    const otpToken = withOtp.body.access_token as string;
    expect(claimsOf(otpToken).amr).toEqual(expect.arrayContaining(['pwd', 'otp']));
    await request(h.app.url).get('/admin/roles').set(bearer(otpToken)).expect(200);
    const user = await h.signUp('locked.by.mfa.admin');
    await request(h.app.url)
      .post(`/admin/users/${user.userId}/lock`)
      .set(bearer(otpToken))
      .expect(204);
    expect(await grpc.verifyToken(otpToken)).toMatchObject({
      active: true,
      mfa: true,
      permissions: ['identity:admin'],
    });

    const withRecovery = await request(h.app.url)
      .post('/auth/mfa/verify')
      .send({
        mfa_token: await passwordStep(h.app.url, creds),
        recovery_code: recoveryCodes[0],
      });
    expect(withRecovery.status).toBe(200);
    const recToken = withRecovery.body.access_token as string;
    expect(claimsOf(recToken).amr).toEqual(expect.arrayContaining(['rec']));
    await request(h.app.url).get('/admin/audit?limit=1').set(bearer(recToken)).expect(200);
    expect((await grpc.verifyToken(recToken)).mfa).toBe(true);
  });
});
