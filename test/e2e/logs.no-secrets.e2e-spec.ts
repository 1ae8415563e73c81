/**
 * Logs are read by many people and kept for a long time: tokens, passwords and emails must
 * never reach them. This drives every flow that handles one (register, verify, login,
 * refresh, change and reset password, logout) and searches the captured log stream.
 */
import request from 'supertest';
import {
  GOOD_PASSWORD,
  login,
  MailCatcher,
  mailedToken,
  registerVerified,
} from '@identity/testing';
import { startTestApp, type TestApp } from '../support/app';

describe('no secrets in logs', () => {
  let app: TestApp;
  const mail = new MailCatcher();
  beforeAll(async () => {
    const port = await mail.start();
    app = await startTestApp({
      label: 'log_secrets',
      env: { SMTP_URL: `smtp://127.0.0.1:${port}`, LOG_LEVEL: 'trace' },
    });
  });
  afterAll(async () => {
    await app.close();
    await mail.stop();
  });

  it('never writes a token, password or email', async () => {
    const secrets: string[] = [];
    const creds = await registerVerified(app.url, mail);
    secrets.push(creds.email, creds.password, await mailedToken(mail, creds.email, 'verify-email'));
    const s = await login(app.url, creds, 'laptop');
    secrets.push(s.accessToken, s.refreshToken);
    const r = await request(app.url).post('/auth/refresh').send({ refresh_token: s.refreshToken });
    secrets.push(r.body.access_token, r.body.refresh_token);
    // A retried refresh (a lost answer) hands out a fresh access token with the same successor.
    const retried = await request(app.url)
      .post('/auth/refresh')
      .send({ refresh_token: s.refreshToken });
    secrets.push(retried.body.access_token);
    const r2 = await request(app.url)
      .post('/auth/refresh')
      .send({ refresh_token: r.body.refresh_token });
    secrets.push(r2.body.access_token, r2.body.refresh_token);
    // Bad paths log too: a reused refresh token, a wrong password, malformed bodies.
    await request(app.url).post('/auth/refresh').send({ refresh_token: s.refreshToken });
    await request(app.url)
      .post('/auth/login')
      .send({ email: creds.email, password: 'wrong password 99' });
    await request(app.url)
      .post('/auth/login')
      .set('Content-Type', 'application/json')
      .send(`{"email":"${creds.email}","password":`);
    await request(app.url).get(`/auth/verify-email?token=${secrets[2]}`);

    const s2 = await login(app.url, creds);
    await request(app.url)
      .post('/auth/change-password')
      .set('Authorization', `Bearer ${s2.accessToken}`)
      .send({ current_password: GOOD_PASSWORD, new_password: 'log test new passphrase 5' })
      .expect(204);
    secrets.push('log test new passphrase 5');
    await request(app.url).post('/auth/forgot-password').send({ email: creds.email }).expect(202);
    const reset = await mailedToken(mail, creds.email, 'reset-password');
    secrets.push(reset);
    await request(app.url)
      .post('/auth/reset-password')
      .send({ token: reset, new_password: 'log test reset phrase 6' })
      .expect(204);
    secrets.push('log test reset phrase 6');
    await request(app.url)
      .post('/auth/logout')
      .set('Authorization', `Bearer ${s2.accessToken}`)
      .expect(204);

    await new Promise((res) => setTimeout(res, 200));
    const logs = app.logs.join('\n');
    expect(logs.length).toBeGreaterThan(1000);
    for (const secret of secrets) {
      expect(secret.length).toBeGreaterThan(8);
      expect(logs.includes(secret)).toBe(false);
      expect(logs.toLowerCase().includes(secret.toLowerCase())).toBe(false);
    }
    expect(logs).not.toMatch(/@example\.test/);
  });
});
