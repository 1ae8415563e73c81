/**
 * Attack: racing the attempt limits. A limit that peeks before the password (or code) check
 * and counts after it lets a burst of simultaneous guesses through: everything queued behind
 * argon2 has already passed the check. With a known password, bursts would make guessing a
 * TOTP code practical.
 *
 * Property (API.md "Details"): a burst of N simultaneous wrong passwords, MFA codes or
 * re-authentication passwords gets at most the evaluations the same attempts one after
 * another would (the default limits: 5 free failures and one more per (email, IP) pair before
 * the lock; 5 codes per mfa_token; 20 codes per user per hour), and the rest 429
 * `too_many_attempts`. Evaluated attempts answer 401; none answers anything else.
 */
import request from 'supertest';
import { login, MailCatcher, registerVerified } from '@identity/testing';
import { ManualClock } from '../support/clock';
import { startTestApp, type TestApp } from '../support/app';
import { codeFor, enrol, passwordStep, steadyStep } from './mfa.helpers';

const BURST = 50;
const clock = new ManualClock();

/** Status counts of a burst's answers. */
function tally(statuses: number[]): Record<number, number> {
  const out: Record<number, number> = {};
  for (const s of statuses) out[s] = (out[s] ?? 0) + 1;
  return out;
}

describe('attempt limits hold under bursts', () => {
  let app: TestApp;
  const mail = new MailCatcher();

  beforeAll(async () => {
    const port = await mail.start();
    // The API.md defaults; argon2 is the real one (cheap test parameters, one hash at a time
    // so the burst queues behind it as it would on a busy server).
    app = await startTestApp({
      clock,
      label: 'attempt_burst',
      env: { SMTP_URL: `smtp://127.0.0.1:${port}`, ARGON2_CONCURRENCY: '1' },
    });
  });
  afterAll(async () => {
    await app.close();
    await mail.stop();
  });

  it(`${BURST} simultaneous wrong passwords: 6 evaluated (5 free + 1), the rest 429`, async () => {
    const creds = await registerVerified(app.url, mail);
    const answers = await Promise.all(
      Array.from({ length: BURST }, () =>
        request(app.url)
          .post('/auth/login')
          .send({ email: creds.email, password: 'wrong guess 01' }),
      ),
    );
    expect(tally(answers.map((a) => a.status))).toEqual({ 401: 6, 429: BURST - 6 });
    for (const a of answers.filter((x) => x.status === 429)) {
      expect(a.body.code).toBe('too_many_attempts');
      expect(Number(a.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    }
  });

  it(`${BURST} simultaneous wrong re-authentication passwords share the login limits`, async () => {
    const creds = await registerVerified(app.url, mail);
    const session = await login(app.url, creds);
    const answers = await Promise.all(
      Array.from({ length: BURST }, () =>
        request(app.url)
          .post('/auth/change-password')
          .set('Authorization', `Bearer ${session.accessToken}`)
          .send({ current_password: 'wrong guess 02', new_password: 'a brand new passphrase 9' }),
      ),
    );
    expect(tally(answers.map((a) => a.status))).toEqual({ 401: 6, 429: BURST - 6 });
    // The same pair is locked for sign-in too.
    const signIn = await request(app.url).post('/auth/login').send(creds);
    expect(signIn.status).toBe(429);
  });

  it(`${BURST} simultaneous wrong codes over 10 mfa_tokens: at most 20 evaluated`, async () => {
    const creds = await registerVerified(app.url, mail);
    const session = await login(app.url, creds);
    const step = await steadyStep(clock);
    const { secret } = await enrol(app.url, session.accessToken, creds.password, step);
    const tokens: string[] = [];
    for (let i = 0; i < 10; i++) tokens.push(await passwordStep(app.url, creds));
    const wrong = codeFor(secret, step + 10);
    const answers = await Promise.all(
      Array.from({ length: BURST }, (_, i) =>
        request(app.url)
          .post('/auth/mfa/verify')
          .send({ mfa_token: tokens[i % tokens.length], code: wrong }),
      ),
    );
    const counts = tally(answers.map((a) => a.status));
    expect(counts[401]).toBe(20);
    expect(counts[429]).toBe(BURST - 20);
    // The cap holds for a right code too, until the hour is over.
    const right = await request(app.url)
      .post('/auth/mfa/verify')
      .send({ mfa_token: await passwordStep(app.url, creds), code: codeFor(secret, step) });
    expect(right.status).toBe(429);
  });
});
