/**
 * `PATCH /auth/me`: the signed-in user sets or clears their display name, and nothing else. The
 * attacks: a client that slips other fields in (`email`, `roles`, `email_verified`) to change
 * what only the platform may change; a foreign page that renames through the victim's cookie
 * (CSRF); markup in the name that later reaches a page or a mail.
 */
import request from 'supertest';
import { bearer, type SelfServiceHarness, startSelfServiceHarness } from './self-service.fixtures';

describe('PATCH /auth/me', () => {
  let h: SelfServiceHarness;

  beforeAll(async () => {
    h = await startSelfServiceHarness('profile_rename');
  });
  afterAll(async () => {
    await h?.close();
  });

  const rename = (token: string, body: unknown) =>
    request(h.app.url)
      .patch('/auth/me')
      .set(bearer(token))
      .send(body as object);

  it('sets the name (trimmed) and answers the profile; null or an empty string clears it', async () => {
    const member = await h.signUp('renamer');
    const res = await rename(member.accessToken, { name: '  Ada <b>Lovelace</b>  ' });
    expect(res.status).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.body).toEqual({
      id: member.userId,
      email: member.email,
      name: 'Ada <b>Lovelace</b>',
      email_verified: true,
      mfa_enabled: false,
      roles: ['user'],
      permissions: [],
      created_at: expect.any(String),
    });
    const me = await request(h.app.url).get('/auth/me').set(bearer(member.accessToken));
    expect(me.body.name).toBe('Ada <b>Lovelace</b>');

    expect((await rename(member.accessToken, { name: null })).body.name).toBeNull();
    await rename(member.accessToken, { name: 'Ada' }).expect(200);
    expect((await rename(member.accessToken, { name: '   ' })).body.name).toBeNull();
  });

  it('refuses anything but a name: 400 validation_failed, and nothing changes', async () => {
    const member = await h.signUp('strict');
    await rename(member.accessToken, { name: 'Kept' }).expect(200);
    const cases: unknown[] = [
      {},
      { name: 42 },
      { name: 'x'.repeat(101) },
      { name: 'Evil', email: 'evil@example.com' },
      { name: 'Evil', roles: ['admin'] },
      { name: 'Evil', email_verified: false },
    ];
    for (const body of cases) {
      const res = await rename(member.accessToken, body);
      expect(res.status).toBe(400);
      expect(res.body.code).toBe('validation_failed');
    }
    const me = await request(h.app.url).get('/auth/me').set(bearer(member.accessToken));
    expect(me.body).toMatchObject({ name: 'Kept', email: member.email, roles: ['user'] });
  });

  it('needs a session (401), and in cookie mode the CSRF header (403 csrf_failed)', async () => {
    const anonymous = await request(h.app.url).patch('/auth/me').send({ name: 'Nobody' });
    expect(anonymous.status).toBe(401);
    expect(anonymous.body.code).toBe('unauthorized');

    const member = await h.signUp('cookie');
    const login = await request(h.app.url)
      .post('/auth/login')
      .set('X-Auth-Transport', 'cookie')
      .send({ email: member.email, password: member.password })
      .expect(200);
    const setCookies = ([] as string[]).concat(login.headers['set-cookie'] ?? []);
    const jar = setCookies.map((c) => c.split(';')[0]!).join('; ');
    const csrf = /__Host-csrf_token=([^;]+)/.exec(jar)![1]!;
    const forged = await request(h.app.url)
      .patch('/auth/me')
      .set('Cookie', jar)
      .send({ name: 'Forged' });
    expect(forged.status).toBe(403);
    expect(forged.body.code).toBe('csrf_failed');
    const ok = await request(h.app.url)
      .patch('/auth/me')
      .set('Cookie', jar)
      .set('X-CSRF-Token', decodeURIComponent(csrf))
      .send({ name: 'From the page' });
    expect(ok.status).toBe(200);
    expect(ok.body.name).toBe('From the page');
  });
});
