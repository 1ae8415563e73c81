/**
 * Per-device sessions: a user lists their sessions (the current one marked), signs one out,
 * and can never see or touch another user's (404, as if it did not exist). Logout is
 * idempotent and kills both tokens at once; logout-all kills every session.
 */
import request from 'supertest';
import { login, MailCatcher, registerVerified } from '@identity/testing';
import { startTestApp, type TestApp } from '../support/app';

describe('sessions and logout', () => {
  let app: TestApp;
  const mail = new MailCatcher();
  beforeAll(async () => {
    const port = await mail.start();
    app = await startTestApp({ label: 'sessions', env: { SMTP_URL: `smtp://127.0.0.1:${port}` } });
  });
  afterAll(async () => {
    await app.close();
    await mail.stop();
  });

  const bearer = (t: string) => ({ Authorization: `Bearer ${t}` });

  it('lists sessions with the current one marked, and revokes one', async () => {
    const creds = await registerVerified(app.url, mail);
    const a = await login(app.url, creds, 'laptop');
    const b = await login(app.url, creds, 'phone');
    const list = await request(app.url).get('/auth/sessions').set(bearer(a.accessToken));
    expect(list.status).toBe(200);
    expect(list.body).toHaveLength(2);
    for (const s of list.body) {
      expect(Object.keys(s).sort()).toEqual([
        'created_at',
        'current',
        'device_name',
        'id',
        'last_used_at',
        'user_agent',
      ]);
    }
    expect(list.body.find((s: { id: string }) => s.id === a.sessionId)).toMatchObject({
      current: true,
      device_name: 'laptop',
    });
    expect(list.body.find((s: { id: string }) => s.id === b.sessionId)).toMatchObject({
      current: false,
      device_name: 'phone',
    });

    await request(app.url)
      .delete(`/auth/sessions/${b.sessionId}`)
      .set(bearer(a.accessToken))
      .expect(204);
    await request(app.url).get('/auth/me').set(bearer(b.accessToken)).expect(401);
    const after = await request(app.url).get('/auth/sessions').set(bearer(a.accessToken));
    expect(after.body.map((s: { id: string }) => s.id)).toEqual([a.sessionId]);
  });

  it("answers 404 for another user's session, an unknown one and a malformed id", async () => {
    const alice = await login(app.url, await registerVerified(app.url, mail));
    const bob = await login(app.url, await registerVerified(app.url, mail));
    for (const id of [bob.sessionId, '00000000-0000-4000-8000-000000000000', 'not-a-uuid']) {
      const res = await request(app.url)
        .delete(`/auth/sessions/${id}`)
        .set(bearer(alice.accessToken));
      expect(res.status).toBe(404);
      expect(res.body.code).toBe('not_found');
    }
    await request(app.url).get('/auth/me').set(bearer(bob.accessToken)).expect(200);
  });

  it('logout is idempotent and kills the access and refresh tokens', async () => {
    const s = await login(app.url, await registerVerified(app.url, mail));
    await request(app.url)
      .post('/auth/logout')
      .set(bearer(s.accessToken))
      .send({ refresh_token: s.refreshToken })
      .expect(204);
    await request(app.url).get('/auth/me').set(bearer(s.accessToken)).expect(401);
    const refresh = await request(app.url)
      .post('/auth/refresh')
      .send({ refresh_token: s.refreshToken });
    expect(refresh.body.code).toBe('refresh_invalid');
    await request(app.url).post('/auth/logout').set(bearer(s.accessToken)).expect(204);
    await request(app.url).post('/auth/logout').send({ refresh_token: s.refreshToken }).expect(204);
  });

  it('logout with only the refresh token revokes that session', async () => {
    const s = await login(app.url, await registerVerified(app.url, mail));
    await request(app.url).post('/auth/logout').send({ refresh_token: s.refreshToken }).expect(204);
    await request(app.url).get('/auth/me').set(bearer(s.accessToken)).expect(401);
  });

  it('logout without any credential is 401', async () => {
    const res = await request(app.url).post('/auth/logout').send({});
    expect(res.status).toBe(401);
    expect(res.headers['www-authenticate']).toBe('Bearer');
  });

  it('logout-all revokes every session of the user', async () => {
    const creds = await registerVerified(app.url, mail);
    const sessions = [
      await login(app.url, creds),
      await login(app.url, creds),
      await login(app.url, creds),
    ];
    await request(app.url)
      .post('/auth/logout-all')
      .set(bearer(sessions[0]!.accessToken))
      .expect(204);
    for (const s of sessions) {
      await request(app.url).get('/auth/me').set(bearer(s.accessToken)).expect(401);
      expect(
        (await request(app.url).post('/auth/refresh').send({ refresh_token: s.refreshToken })).body
          .code,
      ).toBe('refresh_invalid');
    }
    await request(app.url).post('/auth/logout-all').expect(401);
  });

  it('protected routes answer 401 with WWW-Authenticate for missing or garbage tokens', async () => {
    for (const header of [undefined, 'Bearer garbage', 'Basic abc', 'Bearer ']) {
      const req = request(app.url).get('/auth/me');
      const res = await (header ? req.set('Authorization', header) : req);
      expect(res.status).toBe(401);
      expect(res.body.code).toBe('unauthorized');
      expect(res.headers['www-authenticate']).toBe('Bearer');
    }
  });
});
