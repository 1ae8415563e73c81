/**
 * TOTP multi-factor authentication end to end (API.md rows `/auth/mfa/*`, login's MFA
 * answer, "Details": TOTP, amr): enrol → logout → login → MFA verify → /auth/me, with codes
 * computed by the test's own RFC 6238 implementation (proven against the RFC's vectors), the
 * recovery-code path, regeneration, disabling, the stored secret at rest, and cookie mode.
 */
import request from 'supertest';
import { GOOD_PASSWORD, login, MailCatcher, registerVerified } from '@identity/testing';
import { startTestApp, type TestApp } from '../support/app';
import { claimsOf, codeFor, enrol, passwordStep, queryDb, steadyStep, totpAt } from './mfa.helpers';
import { ManualClock } from '../support/clock';

/** The apps' time: TOTP steps are entered by moving it, never waited for. */
const clock = new ManualClock();

describe("the test's own TOTP generator", () => {
  // RFC 6238 Appendix B, SHA-1 column: 20-byte ASCII secret, 8-digit codes.
  const key = Buffer.from('12345678901234567890', 'ascii');
  const vectors: [number, string][] = [
    [59, '94287082'],
    [1111111109, '07081804'],
    [1111111111, '14050471'],
    [1234567890, '89005924'],
    [2000000000, '69279037'],
    [20000000000, '65353130'],
  ];

  it.each(vectors)('matches RFC 6238 at T=%d', (time, expected) => {
    expect(totpAt(key, time, 8)).toBe(expected);
    // Six digits are the same binary value mod 10^6: the vector's last six digits.
    expect(totpAt(key, time, 6)).toBe(expected.slice(-6));
  });
});

describe('TOTP enrolment and the MFA step of login', () => {
  let app: TestApp;
  const mail = new MailCatcher();

  beforeAll(async () => {
    const port = await mail.start();
    app = await startTestApp({
      clock,
      label: 'mfa_enrolment',
      env: { SMTP_URL: `smtp://127.0.0.1:${port}`, APP_URL: 'https://id.example.test' },
    });
  });
  afterAll(async () => {
    await app.close();
    await mail.stop();
  });

  const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });
  const me = (token: string) => request(app.url).get('/auth/me').set(bearer(token));
  const verify = (body: Record<string, string>, headers: Record<string, string> = {}) =>
    request(app.url).post('/auth/mfa/verify').set(headers).send(body);
  const mailTo = async (to: string, subject: RegExp) => {
    const until = Date.now() + 5_000;
    for (;;) {
      const found = mail.mails.find(
        (m) => m.envelopeTo.includes(to) && subject.test(m.headers.subject ?? ''),
      );
      if (found) return found;
      if (Date.now() > until) throw new Error(`no mail ${subject} to ${to}`);
      await new Promise((r) => setTimeout(r, 25));
    }
  };

  /** A verified user with TOTP enabled, signed in, with the step its logins may use next. */
  const enrolledUser = async () => {
    const creds = await registerVerified(app.url, mail);
    const session = await login(app.url, creds);
    const step = await steadyStep(clock);
    const enrolled = await enrol(app.url, session.accessToken, creds.password, step);
    return { creds, session, step, ...enrolled };
  };

  it('enrols, then logs in with a TOTP code; the session says pwd+otp', async () => {
    const creds = await registerVerified(app.url, mail);
    const session = await login(app.url, creds);
    expect((await me(session.accessToken)).body.mfa_enabled).toBe(false);

    // Setup re-authenticates with the password.
    const wrong = await request(app.url)
      .post('/auth/mfa/totp/setup')
      .set(bearer(session.accessToken))
      .send({ password: 'not the password 77' });
    expect(wrong.status).toBe(401);
    expect(wrong.body.code).toBe('invalid_credentials');

    const setup = await request(app.url)
      .post('/auth/mfa/totp/setup')
      .set(bearer(session.accessToken))
      .send({ password: creds.password });
    expect(setup.status).toBe(200);
    expect(setup.headers['cache-control']).toBe('no-store');
    expect(Object.keys(setup.body).sort()).toEqual(['otpauth_url', 'qr_code', 'secret']);
    const secret = setup.body.secret as string;
    expect(secret).toMatch(/^[A-Z2-7]{32}$/); // 160 bits
    const url = new URL(setup.body.otpauth_url);
    expect(url.protocol).toBe('otpauth:');
    expect(url.host).toBe('totp');
    expect(decodeURIComponent(url.pathname)).toBe(`/id.example.test:${creds.email}`);
    expect(url.searchParams.get('secret')).toBe(secret);
    expect(url.searchParams.get('issuer')).toBe('id.example.test');
    expect(setup.body.qr_code).toMatch(/^data:image\/png;base64,[A-Za-z0-9+/]+=*$/);

    // At rest the secret is sealed, never the base32 text (nor its bytes in hex or base64).
    const [row] = await queryDb<{ secret_enc: string; kek_id: string; enabled_at: Date | null }>(
      app.db.url,
      `SELECT t.secret_enc, t.kek_id, t.enabled_at FROM mfa_totp t JOIN users u ON u.id = t.user_id
        WHERE u.email = $1`,
      [creds.email],
    );
    expect(row!.enabled_at).toBeNull();
    expect(row!.kek_id).toMatch(/^[0-9a-f]{16}$/);
    expect(row!.secret_enc).not.toContain(secret);
    expect(row!.secret_enc.toLowerCase()).not.toContain(secret.toLowerCase());
    expect(row!.secret_enc).toMatch(/^v1\./);
    expect((await me(session.accessToken)).body.mfa_enabled).toBe(false);

    const step = await steadyStep(clock);
    const badConfirm = await request(app.url)
      .post('/auth/mfa/totp/confirm')
      .set(bearer(session.accessToken))
      .send({ code: codeFor(secret, step + 5) });
    expect(badConfirm.status).toBe(400);
    expect(badConfirm.body.code).toBe('mfa_invalid');

    const confirm = await request(app.url)
      .post('/auth/mfa/totp/confirm')
      .set(bearer(session.accessToken))
      .send({ code: codeFor(secret, step - 1) });
    expect(confirm.status).toBe(200);
    expect(confirm.headers['cache-control']).toBe('no-store');
    expect(Object.keys(confirm.body)).toEqual(['recovery_codes']);
    const codes = confirm.body.recovery_codes as string[];
    expect(codes).toHaveLength(10);
    expect(new Set(codes).size).toBe(10);
    for (const c of codes) expect(c).toMatch(/^[a-z2-9]{5}-[a-z2-9]{5}$/);
    expect((await me(session.accessToken)).body.mfa_enabled).toBe(true);

    // Recovery codes are stored hashed: no row holds a code.
    const stored = await queryDb<{ code_hash: string }>(
      app.db.url,
      `SELECT code_hash FROM mfa_recovery_codes r JOIN users u ON u.id = r.user_id WHERE u.email = $1`,
      [creds.email],
    );
    expect(stored).toHaveLength(10);
    for (const { code_hash } of stored) {
      for (const c of codes) {
        expect(code_hash).not.toContain(c);
        expect(code_hash).not.toContain(c.replace('-', ''));
      }
    }

    const again = await request(app.url)
      .post('/auth/mfa/totp/setup')
      .set(bearer(session.accessToken))
      .send({ password: creds.password });
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('mfa_already_enabled');

    await request(app.url)
      .post('/auth/logout')
      .send({ refresh_token: session.refreshToken })
      .expect(204);

    // The password alone no longer opens a session.
    const first = await request(app.url).post('/auth/login').send(creds);
    expect(first.status).toBe(200);
    expect(first.headers['cache-control']).toBe('no-store');
    expect(first.body).toEqual({
      mfa_required: true,
      mfa_token: expect.stringMatching(/^[A-Za-z0-9_-]{43,}$/),
      methods: ['totp', 'recovery_code'],
    });

    const done = await verify({ mfa_token: first.body.mfa_token, code: codeFor(secret, step) });
    expect(done.status).toBe(200);
    expect(done.headers['cache-control']).toBe('no-store');
    expect(done.body).toEqual({
      access_token: expect.any(String),
      refresh_token: expect.any(String),
      token_type: 'Bearer',
      expires_in: 600,
      refresh_expires_in: expect.any(Number),
      session_id: expect.any(String),
    });
    const claims = claimsOf(done.body.access_token);
    expect(claims.amr).toEqual(['pwd', 'otp']);
    expect(claims.sid).toBe(done.body.session_id);
    const profile = await me(done.body.access_token);
    expect(profile.status).toBe(200);
    expect(profile.body).toMatchObject({ email: creds.email, mfa_enabled: true });
  });

  it('a recovery code completes the login once (amr pwd+rec); the owner is mailed', async () => {
    const user = await enrolledUser();
    const code = user.recoveryCodes[3]!;
    const token = await passwordStep(app.url, user.creds);
    // Typed in capitals, without the dash: still that code.
    const res = await verify({
      mfa_token: token,
      recovery_code: code.replace('-', '').toUpperCase(),
    });
    expect(res.status).toBe(200);
    expect(claimsOf(res.body.access_token).amr).toEqual(['pwd', 'rec']);

    const notice = await mailTo(user.creds.email, /recovery code was used/i);
    expect(notice.text).toContain('Recovery codes left: 9.');
    const audit = await queryDb<{ metadata: Record<string, unknown> }>(
      app.db.url,
      `SELECT a.metadata FROM audit_log a JOIN users u ON u.id = a.user_id
        WHERE u.email = $1 AND a.type = 'mfa.recovery_code_used'`,
      [user.creds.email],
    );
    expect(audit.map((a) => a.metadata)).toEqual([{ remaining: 9 }]);

    const reused = await verify({
      mfa_token: await passwordStep(app.url, user.creds),
      recovery_code: code,
    });
    expect(reused.status).toBe(401);
    expect(reused.body.code).toBe('mfa_invalid');
  });

  it('regenerating recovery codes needs a current code and kills the old ones', async () => {
    const user = await enrolledUser();
    const regen = (code: string) =>
      request(app.url)
        .post('/auth/mfa/recovery-codes')
        .set(bearer(user.session.accessToken))
        .send({ code });

    const wrong = await regen(codeFor(user.secret, user.step + 7));
    expect(wrong.status).toBe(401);
    expect(wrong.body.code).toBe('mfa_invalid');
    // The code that confirmed the enrolment is used up.
    expect((await regen(codeFor(user.secret, user.confirmedStep))).status).toBe(401);

    const res = await regen(codeFor(user.secret, user.step));
    expect(res.status).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    const fresh = res.body.recovery_codes as string[];
    expect(fresh).toHaveLength(10);
    expect(fresh.filter((c) => user.recoveryCodes.includes(c))).toEqual([]);

    const old = await verify({
      mfa_token: await passwordStep(app.url, user.creds),
      recovery_code: user.recoveryCodes[0]!,
    });
    expect(old.status).toBe(401);
    expect(old.body.code).toBe('mfa_invalid');
    const ok = await verify({
      mfa_token: await passwordStep(app.url, user.creds),
      recovery_code: fresh[0]!,
    });
    expect(ok.status).toBe(200);
  });

  it('disables with a current code, mails the owner, and login needs only the password again', async () => {
    const user = await enrolledUser();
    const disable = (body: Record<string, string>) =>
      request(app.url)
        .post('/auth/mfa/totp/disable')
        .set(bearer(user.session.accessToken))
        .send(body);

    expect((await disable({ code: codeFor(user.secret, user.step + 9) })).body.code).toBe(
      'mfa_invalid',
    );
    const both = await disable({ code: codeFor(user.secret, user.step), password: 'x' });
    expect(both.status).toBe(400);
    expect(both.body.code).toBe('validation_failed');

    await disable({ code: codeFor(user.secret, user.step) }).expect(204);
    await mailTo(user.creds.email, /two-factor authentication was turned off/i);
    expect((await me(user.session.accessToken)).body.mfa_enabled).toBe(false);
    const rows = await queryDb<{ n: number }>(
      app.db.url,
      `SELECT (SELECT count(*) FROM mfa_totp t WHERE t.user_id = u.id)::int
            + (SELECT count(*) FROM mfa_recovery_codes r WHERE r.user_id = u.id)::int AS n
         FROM users u WHERE u.email = $1`,
      [user.creds.email],
    );
    expect(rows[0]!.n).toBe(0);

    const plain = await request(app.url).post('/auth/login').send(user.creds);
    expect(plain.status).toBe(200);
    expect(claimsOf(plain.body.access_token).amr).toEqual(['pwd']);
  });

  it('a password alone never turns the second factor off; a recovery code does', async () => {
    const user = await enrolledUser();
    const disable = (body: Record<string, string>) =>
      request(app.url)
        .post('/auth/mfa/totp/disable')
        .set(bearer(user.session.accessToken))
        .send(body);
    // The password may be what was stolen: it is not even an accepted field.
    const byPassword = await disable({ password: GOOD_PASSWORD });
    expect(byPassword.status).toBe(400);
    expect(byPassword.body.code).toBe('validation_failed');
    const wrong = await disable({ recovery_code: 'aaaaa-bbbbb' });
    expect(wrong.status).toBe(401);
    expect(wrong.body.code).toBe('mfa_invalid');
    expect((await me(user.session.accessToken)).body.mfa_enabled).toBe(true);
    await disable({ recovery_code: user.recoveryCodes[0]! }).expect(204);
    expect((await me(user.session.accessToken)).body.mfa_enabled).toBe(false);
    const audit = await queryDb<{ type: string }>(
      app.db.url,
      `SELECT a.type FROM audit_log a JOIN users u ON u.id = a.user_id
        WHERE u.email = $1 AND a.type LIKE 'mfa.%' ORDER BY a.id`,
      [user.creds.email],
    );
    expect(audit.map((a) => a.type)).toEqual([
      'mfa.enabled',
      'mfa.recovery_code_used',
      'mfa.disabled',
    ]);
  });

  it('confirm without a pending setup is mfa_invalid; enrolment routes need a session', async () => {
    const creds = await registerVerified(app.url, mail);
    const session = await login(app.url, creds);
    const res = await request(app.url)
      .post('/auth/mfa/totp/confirm')
      .set(bearer(session.accessToken))
      .send({ code: '123456' });
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('mfa_invalid');
    for (const path of ['totp/setup', 'totp/confirm', 'totp/disable', 'recovery-codes']) {
      const anon = await request(app.url).post(`/auth/mfa/${path}`).send({ code: '123456' });
      expect(anon.status).toBe(401);
      expect(anon.body.code).toBe('unauthorized');
    }
    const extra = await request(app.url)
      .post('/auth/mfa/totp/setup')
      .set(bearer(session.accessToken))
      .send({ password: creds.password, secret: 'JBSWY3DPEHPK3PXP' });
    expect(extra.status).toBe(400);
    expect(extra.body.code).toBe('validation_failed');
  });
});
