/**
 * Attack: getting past the second factor of a user whose password is known. An attacker
 * replays a code seen over a shoulder or in a proxy log, guesses codes, reuses or outlives an
 * mfa_token, burns a recovery code twice, or races two requests so one code counts twice.
 *
 * Property (API.md "Details"): a TOTP step works once per user, a recovery code once, an
 * mfa_token once and for MFA_TOKEN_TTL seconds; each of those failures answers 401
 * `mfa_invalid`, without saying which. Five wrong codes kill an mfa_token; past 20 wrong codes
 * an hour the user's MFA step answers 429 `too_many_attempts` with Retry-After, even for a
 * right code. Wrong codes are audited as `auth.login.failed` (reason `mfa_invalid`).
 */
import request from 'supertest';
import { login, MailCatcher, registerVerified } from '@identity/testing';
import { startTestApp, type TestApp } from '../support/app';
import { codeFor, enrol, passwordStep, queryDb, steadyStep } from './mfa.helpers';
import { ManualClock } from '../support/clock';

/** The apps' time: TOTP steps are entered by moving it, never waited for. */
const clock = new ManualClock();

describe('the MFA step resists replay, guessing and races', () => {
  let app: TestApp;
  const mail = new MailCatcher();

  beforeAll(async () => {
    const port = await mail.start();
    app = await startTestApp({
      clock,
      label: 'mfa_security',
      env: { SMTP_URL: `smtp://127.0.0.1:${port}` },
    });
  });
  afterAll(async () => {
    await app.close();
    await mail.stop();
  });

  const verify = (body: Record<string, string>) =>
    request(app.url).post('/auth/mfa/verify').send(body);
  const expectMfaInvalid = (res: request.Response) => {
    expect(res.status).toBe(401);
    expect(res.body).toMatchObject({ code: 'mfa_invalid', status: 401 });
    expect(res.body.access_token).toBeUndefined();
  };

  const enrolledUser = async () => {
    const creds = await registerVerified(app.url, mail);
    const session = await login(app.url, creds);
    const step = await steadyStep(clock);
    const enrolled = await enrol(app.url, session.accessToken, creds.password, step);
    const token = () => passwordStep(app.url, creds);
    return { creds, step, token, ...enrolled };
  };

  it('a code works once: replaying it (or the enrolment code) on a new login fails', async () => {
    const user = await enrolledUser();
    const code = codeFor(user.secret, user.step);
    expect((await verify({ mfa_token: await user.token(), code })).status).toBe(200);

    expectMfaInvalid(await verify({ mfa_token: await user.token(), code }));
    expectMfaInvalid(
      await verify({
        mfa_token: await user.token(),
        code: codeFor(user.secret, user.confirmedStep),
      }),
    );
    // A replay is a wrong code: it cost the token an attempt, not the token itself.
    const token = await user.token();
    expectMfaInvalid(await verify({ mfa_token: token, code }));
    expect(
      (await verify({ mfa_token: token, code: codeFor(user.secret, user.step + 1) })).status,
    ).toBe(200);
  });

  it('a wrong code fails, is audited, and the token still takes the right one', async () => {
    const user = await enrolledUser();
    const token = await user.token();
    for (const wrong of [codeFor(user.secret, user.step + 3), '000000', 'abc', '1234567']) {
      expectMfaInvalid(await verify({ mfa_token: token, code: wrong }));
    }
    expect((await verify({ mfa_token: token, code: codeFor(user.secret, user.step) })).status).toBe(
      200,
    );
    const audit = await queryDb<{ metadata: Record<string, unknown> }>(
      app.db.url,
      `SELECT a.metadata FROM audit_log a JOIN users u ON u.id = a.user_id
        WHERE u.email = $1 AND a.type = 'auth.login.failed' ORDER BY a.id`,
      [user.creds.email],
    );
    expect(audit.map((a) => a.metadata)).toEqual(Array(4).fill({ reason: 'mfa_invalid' }));
  });

  it('an mfa_token works once, and a made-up one never', async () => {
    const user = await enrolledUser();
    const token = await user.token();
    expect((await verify({ mfa_token: token, code: codeFor(user.secret, user.step) })).status).toBe(
      200,
    );
    expectMfaInvalid(await verify({ mfa_token: token, code: codeFor(user.secret, user.step + 1) }));
    expectMfaInvalid(await verify({ mfa_token: token, recovery_code: user.recoveryCodes[0]! }));
    expectMfaInvalid(
      await verify({ mfa_token: 'A'.repeat(43), code: codeFor(user.secret, user.step + 1) }),
    );
  });

  it('a used recovery code fails on the next login', async () => {
    const user = await enrolledUser();
    const code = user.recoveryCodes[0]!;
    expect((await verify({ mfa_token: await user.token(), recovery_code: code })).status).toBe(200);
    expectMfaInvalid(await verify({ mfa_token: await user.token(), recovery_code: code }));
    expectMfaInvalid(await verify({ mfa_token: await user.token(), recovery_code: 'aaaaa-bbbbb' }));
  });

  it('five wrong codes kill the mfa_token: the right code then fails too', async () => {
    const user = await enrolledUser();
    const token = await user.token();
    for (let i = 0; i < 5; i++) {
      expectMfaInvalid(
        await verify({ mfa_token: token, code: codeFor(user.secret, user.step + 5 + i) }),
      );
    }
    expectMfaInvalid(await verify({ mfa_token: token, code: codeFor(user.secret, user.step) }));
    // A fresh login (password again) gets a fresh token.
    expect(
      (await verify({ mfa_token: await user.token(), code: codeFor(user.secret, user.step) }))
        .status,
    ).toBe(200);
  });

  it('past 20 wrong codes an hour the user is refused with 429, even with a right code', async () => {
    const user = await enrolledUser();
    for (let login = 0; login < 4; login++) {
      const token = await user.token();
      for (let i = 0; i < 5; i++) {
        expectMfaInvalid(await verify({ mfa_token: token, recovery_code: `zzzzz-zzzz${i + 2}` }));
      }
    }
    const res = await verify({
      mfa_token: await user.token(),
      code: codeFor(user.secret, user.step),
    });
    expect(res.status).toBe(429);
    expect(res.body.code).toBe('too_many_attempts');
    expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
    expect(res.body.access_token).toBeUndefined();
  });

  it('one token raced with three different valid factors: exactly one session', async () => {
    const user = await enrolledUser();
    const token = await user.token();
    const factors: Record<string, string>[] = [
      { code: codeFor(user.secret, user.step) },
      { recovery_code: user.recoveryCodes[0]! },
      { recovery_code: user.recoveryCodes[1]! },
    ];
    const answers = await Promise.all(factors.map((f) => verify({ mfa_token: token, ...f })));
    expect(answers.map((r) => r.status).sort()).toEqual([200, 401, 401]);
    // The losers' factors were not used up (their transactions rolled back): each still works.
    const winner = answers.findIndex((r) => r.status === 200);
    for (const factor of factors.filter((_, i) => i !== winner)) {
      expect((await verify({ mfa_token: await user.token(), ...factor })).status).toBe(200);
    }
  });

  it('one code on two concurrent logins (two tokens): accepted once', async () => {
    const user = await enrolledUser();
    const tokens = await Promise.all([user.token(), user.token(), user.token()]);
    const code = codeFor(user.secret, user.step);
    const answers = await Promise.all(tokens.map((mfa_token) => verify({ mfa_token, code })));
    expect(answers.map((r) => r.status).sort()).toEqual([200, 401, 401]);
  });

  it('one recovery code on concurrent logins: accepted once', async () => {
    const user = await enrolledUser();
    const tokens = await Promise.all([user.token(), user.token(), user.token()]);
    const answers = await Promise.all(
      tokens.map((mfa_token) => verify({ mfa_token, recovery_code: user.recoveryCodes[1]! })),
    );
    expect(answers.map((r) => r.status).sort()).toEqual([200, 401, 401]);
  });

  it('a body with both factors, or none, is refused before any check', async () => {
    const token = 'A'.repeat(43);
    const bodies: Record<string, string>[] = [
      { mfa_token: token },
      { mfa_token: token, code: '123456', recovery_code: 'aaaaa-bbbbb' },
      { mfa_token: token, code: '123456', remember: 'yes' },
    ];
    for (const body of bodies) {
      const res = await verify(body);
      expect(res.status).toBe(400);
      expect(res.body.code).toBe('validation_failed');
    }
  });
});

describe('an mfa_token expires', () => {
  let app: TestApp;
  const mail = new MailCatcher();

  beforeAll(async () => {
    const port = await mail.start();
    app = await startTestApp({
      clock,
      label: 'mfa_expiry',
      env: { SMTP_URL: `smtp://127.0.0.1:${port}`, MFA_TOKEN_TTL: '2' },
    });
  });
  afterAll(async () => {
    await app.close();
    await mail.stop();
  });

  it('after MFA_TOKEN_TTL seconds, even with a right code', async () => {
    const creds = await registerVerified(app.url, mail);
    const session = await login(app.url, creds);
    const step = await steadyStep(clock);
    const { secret } = await enrol(app.url, session.accessToken, creds.password, step);
    const token = await passwordStep(app.url, creds);
    await new Promise((r) => setTimeout(r, 2_600));
    const res = await request(app.url)
      .post('/auth/mfa/verify')
      .send({ mfa_token: token, code: codeFor(secret, step) });
    expect(res.status).toBe(401);
    expect(res.body.code).toBe('mfa_invalid');
    // The same code on a live token still works: it was the token that died.
    const fresh = await request(app.url)
      .post('/auth/mfa/verify')
      .send({ mfa_token: await passwordStep(app.url, creds), code: codeFor(secret, step) });
    expect(fresh.status).toBe(200);
  });
});
