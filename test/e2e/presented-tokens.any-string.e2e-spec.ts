/**
 * Attack: probing the token endpoints with strings that are not live tokens (an access token
 * where a refresh token belongs, a truncated or padded token, an empty or huge string) to
 * learn something from answers that differ by input shape: a 400 for one length and a 401 for
 * another tells a prober which lengths the server expects, and clients that treat 400 as
 * "my bug" and 401 as "sign in again" behave differently on the same dead credential.
 * API.md: any string that is not a live refresh token answers 401 `refresh_invalid`; any
 * `mfa_token` string that is not a live one answers 401 `mfa_invalid`. Non-strings stay 400
 * `validation_failed` (a malformed request, not a credential), and a body over the size
 * limit stays 413.
 */
import request from 'supertest';
import { login, MailCatcher, registerVerified } from '@identity/testing';
import { startTestApp, type TestApp } from '../support/app';

describe('any string that is not a live token is a 401 with the endpoint code', () => {
  const mail = new MailCatcher();
  let app: TestApp;
  let strings: Record<string, string>;

  beforeAll(async () => {
    const smtp = await mail.start();
    app = await startTestApp({
      label: 'token_strings',
      env: { SMTP_URL: `smtp://127.0.0.1:${smtp}` },
    });
    const s = await login(app.url, await registerVerified(app.url, mail));
    strings = {
      empty: '',
      'one character': 'a',
      'an access token': s.accessToken,
      'a refresh token one character short': s.refreshToken.slice(0, -1),
      'a refresh token one character long': `${s.refreshToken}A`,
      '513 characters': 'r'.repeat(513),
      '10,000 characters': 'r'.repeat(10_000),
      'not base64url': '!!!!! not a token at all; DROP TABLE sessions; --',
    };
  });
  afterAll(async () => {
    await app?.close();
    await mail.stop();
  });

  it('POST /auth/refresh answers 401 refresh_invalid for every such string', async () => {
    for (const [what, token] of Object.entries(strings)) {
      const res = await request(app.url).post('/auth/refresh').send({ refresh_token: token });
      expect({ what, status: res.status, code: res.body.code }).toEqual({
        what,
        status: 401,
        code: 'refresh_invalid',
      });
    }
    const notAString = await request(app.url).post('/auth/refresh').send({ refresh_token: 42 });
    expect(notAString.status).toBe(400);
    expect(notAString.body.code).toBe('validation_failed');
  });

  it('POST /auth/mfa/verify answers 401 mfa_invalid for every such mfa_token', async () => {
    for (const [what, mfaToken] of Object.entries(strings)) {
      const res = await request(app.url)
        .post('/auth/mfa/verify')
        .send({ mfa_token: mfaToken, code: '123456' });
      expect({ what, status: res.status, code: res.body.code }).toEqual({
        what,
        status: 401,
        code: 'mfa_invalid',
      });
    }
    const notAString = await request(app.url)
      .post('/auth/mfa/verify')
      .send({ mfa_token: ['a'], code: '123456' });
    expect(notAString.status).toBe(400);
    expect(notAString.body.code).toBe('validation_failed');
  });

  it('a body over the size limit is still 413, not a credential check', async () => {
    const res = await request(app.url)
      .post('/auth/refresh')
      .send({ refresh_token: 'r'.repeat(200_000) });
    expect(res.status).toBe(413);
    expect(res.body.code).toBe('payload_too_large');
  });
});
