/**
 * Attack: a refresh token is stolen (from a device, a log, a proxy). Rotation makes every
 * refresh token one-time; when the thief and the owner both use the same one, the second use
 * is a replay: the whole family (session) dies, with its access tokens, at once. Two
 * concurrent refreshes with one token must never make two live successors (the row is locked).
 *
 * Not an attack: the response to a refresh is lost (a dropped connection, a killed app) and
 * the client presents the same token again. Within `REFRESH_RETRY_WINDOW` (10 s) of the
 * rotation, while the successor has not been presented, it gets that same successor again;
 * after the window, or once the successor was used, the old token is reuse. The window is
 * crossed by moving the app's clock.
 */
import request from 'supertest';
import { login, MailCatcher, registerVerified } from '@identity/testing';
import { startTestApp, type TestApp } from '../support/app';
import { ManualClock } from '../support/clock';

/** The app's time: lifetimes are crossed by moving it. */
const clock = new ManualClock();

describe('refresh rotation and reuse detection', () => {
  let app: TestApp;
  const mail = new MailCatcher();
  beforeAll(async () => {
    const port = await mail.start();
    app = await startTestApp({
      clock,
      label: 'refresh_reuse',
      env: { SMTP_URL: `smtp://127.0.0.1:${port}` },
    });
  });
  afterAll(async () => {
    await app.close();
    await mail.stop();
  });

  const refresh = (token: string) =>
    request(app.url).post('/auth/refresh').send({ refresh_token: token });
  const me = (access: string) =>
    request(app.url).get('/auth/me').set('Authorization', `Bearer ${access}`);

  it('rotates: each refresh returns a new pair in the same family', async () => {
    const creds = await registerVerified(app.url, mail);
    const first = await login(app.url, creds);
    const r1 = await refresh(first.refreshToken);
    expect(r1.status).toBe(200);
    expect(r1.headers['cache-control']).toBe('no-store');
    expect(r1.body.session_id).toBe(first.sessionId);
    expect(r1.body.refresh_token).not.toBe(first.refreshToken);
    const r2 = await refresh(r1.body.refresh_token);
    expect(r2.status).toBe(200);
    expect(r2.body.refresh_expires_in).toBeLessThanOrEqual(r1.body.refresh_expires_in);
    await me(r2.body.access_token).expect(200);
  });

  it('a replayed token kills the family: refresh_reused, then the newest token and the access tokens die', async () => {
    const creds = await registerVerified(app.url, mail);
    const first = await login(app.url, creds);
    const rotated = await refresh(first.refreshToken);
    expect(rotated.status).toBe(200);
    await me(rotated.body.access_token).expect(200);

    clock.advance(app.config.sessions.retryWindow + 1);
    const replay = await refresh(first.refreshToken);
    expect(replay.status).toBe(401);
    expect(replay.body.code).toBe('refresh_reused');

    const newest = await refresh(rotated.body.refresh_token);
    expect(newest.status).toBe(401);
    expect(['refresh_invalid', 'refresh_reused']).toContain(newest.body.code);
    await me(rotated.body.access_token).expect(401);
    await me(first.accessToken).expect(401);
    // Another session of the same user is untouched.
    const other = await login(app.url, creds);
    await me(other.accessToken).expect(200);
  });

  it('of concurrent refreshes with one token, all get the one same successor', async () => {
    const creds = await registerVerified(app.url, mail);
    for (let round = 0; round < 5; round++) {
      const s = await login(app.url, creds);
      const results = await Promise.all(Array.from({ length: 6 }, () => refresh(s.refreshToken)));
      expect(results.map((r) => r.status)).toEqual(Array(6).fill(200));
      const successors = new Set(results.map((r) => r.body.refresh_token as string));
      expect(successors.size).toBe(1);
      // The family lives on through that one successor, and only through it.
      const next = await refresh([...successors][0]!);
      expect(next.status).toBe(200);
      for (const r of results) await me(r.body.access_token).expect(200);
    }
  });

  it('a lost answer: the same token within the window gets the same successor, then reuse', async () => {
    const creds = await registerVerified(app.url, mail);
    const s = await login(app.url, creds);
    const rotated = await refresh(s.refreshToken);
    expect(rotated.status).toBe(200);
    clock.advance(app.config.sessions.retryWindow);
    const again = await refresh(s.refreshToken);
    expect(again.status).toBe(200);
    expect(again.headers['cache-control']).toBe('no-store');
    expect(again.body.refresh_token).toBe(rotated.body.refresh_token);
    expect(again.body.session_id).toBe(s.sessionId);
    await me(again.body.access_token).expect(200);
    // The client now uses the successor: the old token is reuse from then on, even though
    // the window has not closed yet.
    const onward = await refresh(again.body.refresh_token);
    expect(onward.status).toBe(200);
    const stale = await refresh(s.refreshToken);
    expect(stale.status).toBe(401);
    expect(stale.body.code).toBe('refresh_reused');
    await me(onward.body.access_token).expect(401);
  });

  it('a lost answer presented after the window is reuse', async () => {
    const creds = await registerVerified(app.url, mail);
    const s = await login(app.url, creds);
    const rotated = await refresh(s.refreshToken);
    clock.advance(app.config.sessions.retryWindow + 1);
    const late = await refresh(s.refreshToken);
    expect(late.status).toBe(401);
    expect(late.body.code).toBe('refresh_reused');
    expect((await refresh(rotated.body.refresh_token)).status).toBe(401);
  });

  it('refuses unknown, malformed and missing refresh tokens', async () => {
    expect((await refresh('x'.repeat(43))).body.code).toBe('refresh_invalid');
    const none = await request(app.url).post('/auth/refresh').send({});
    expect(none.status).toBe(401);
    expect(none.body.code).toBe('refresh_invalid');
    const bad = await request(app.url).post('/auth/refresh').send({ refresh_token: 42 });
    expect(bad.status).toBe(400);
    expect(bad.body.code).toBe('validation_failed');
  });

  it('a family past its absolute lifetime answers refresh_invalid', async () => {
    const creds = await registerVerified(app.url, mail);
    const s = await login(app.url, creds);
    // Refreshed every 6 days (never idle) up to the last second of its 30-day lifetime...
    const { refreshTtl, idleTtl } = app.config.sessions;
    let token = s.refreshToken;
    for (let left = refreshTtl - 1; left > 0;) {
      const step = Math.min(idleTtl - 86_400, left);
      clock.advance(step);
      left -= step;
      const next = await refresh(token);
      expect(next.status).toBe(200);
      token = next.body.refresh_token as string;
    }
    // ...and not a second longer.
    clock.advance(1);
    expect((await refresh(token)).body.code).toBe('refresh_invalid');
  });

  it('an idle family answers refresh_invalid', async () => {
    const creds = await registerVerified(app.url, mail);
    const s = await login(app.url, creds);
    clock.advance(app.config.sessions.idleTtl + 1);
    expect((await refresh(s.refreshToken)).body.code).toBe('refresh_invalid');
  });
});
