/**
 * A person's own recent security activity (API.md `GET /auth/me/activity`): sign-ins, refused
 * sign-ins, password, second-factor and address changes, ended sessions, newest first, with
 * the device and whether it came from the network they read it from. The attacks: reading
 * someone else's activity, or learning an IP or an address from it. So the list is the
 * token's user's only, names devices and never carries an IP (the hint compares keyed hashes)
 * nor an email, and its cursor cannot name anything but a row id.
 */
import request from 'supertest';
import { mailedToken, uniqueEmail } from '@identity/testing';
import {
  bearer,
  type Member,
  type SelfServiceHarness,
  startSelfServiceHarness,
} from './self-service.fixtures';

const CHROME_MAC =
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';
const FIREFOX_WINDOWS =
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0';

/** API.md "Webhooks (SOC/SIEM)": the event types an activity item may have. */
const WEBHOOK_EVENT_TYPES = [
  'auth.login.succeeded',
  'auth.login.failed',
  'auth.login.throttled',
  'auth.mfa.failed',
  'auth.refresh.reused',
  'session.revoked',
  'user.registered',
  'user.locked',
  'user.unlocked',
  'user.roles_changed',
  'user.password_changed',
  'user.password_reset',
  'mfa.enabled',
  'mfa.disabled',
  'identity.linked',
  'identity.unlinked',
  'user.email_changed',
  'user.deleted',
  'key.rotated',
  'webhook.test',
];

interface Item {
  type: string;
  created_at: string;
  device: string | null;
  ip_hint?: string;
}

describe('GET /auth/me/activity', () => {
  let h: SelfServiceHarness;

  beforeAll(async () => {
    // One trusted hop: X-Forwarded-For stands for requests from another network.
    h = await startSelfServiceHarness('activity', { env: { TRUST_PROXY: '1' } });
  });
  afterAll(async () => {
    await h?.close();
  });

  const activity = (token: string, query = '') =>
    request(h.app.url).get(`/auth/me/activity${query}`).set(bearer(token));

  async function loginFrom(
    member: Member,
    userAgent: string,
    ip?: string,
  ): Promise<{ accessToken: string; sessionId: string }> {
    const req = request(h.app.url).post('/auth/login').set('User-Agent', userAgent);
    if (ip) req.set('X-Forwarded-For', ip);
    const res = await req.send({ email: member.email, password: member.password }).expect(200);
    return { accessToken: res.body.access_token, sessionId: res.body.session_id };
  }

  it("lists the user's own security events, newest first, with devices and network hints and nothing personal", async () => {
    const member = await h.signUp('watcher');
    const stranger = await h.signUp('stranger');
    const mac = await loginFrom(member, CHROME_MAC);
    const windows = await loginFrom(member, FIREFOX_WINDOWS, '198.51.100.23');
    await request(h.app.url)
      .post('/auth/login')
      .set('X-Forwarded-For', '198.51.100.99')
      .send({ email: member.email, password: 'not the password 3' })
      .expect(401);
    await request(h.app.url)
      .delete(`/auth/sessions/${windows.sessionId}`)
      .set(bearer(mac.accessToken))
      .expect(204);
    await h.enrolTotp(member);
    await request(h.app.url)
      .post('/auth/change-password')
      .set(bearer(mac.accessToken))
      .send({ current_password: member.password, new_password: 'quartz-Lantern-58-meadow' })
      .expect(204);
    const newEmail = uniqueEmail('watched');
    await request(h.app.url)
      .post('/auth/change-email')
      .set(bearer(mac.accessToken))
      .send({ new_email: newEmail, password: 'quartz-Lantern-58-meadow' })
      .expect(202);
    await request(h.app.url)
      .post('/auth/confirm-email-change')
      .set(bearer(mac.accessToken))
      .send({ token: await mailedToken(h.mail, newEmail, 'confirm-email-change') })
      .expect(200);
    // The stranger's own events must not show up in the member's list.
    await request(h.app.url)
      .post('/auth/login')
      .send({ email: stranger.email, password: 'not the password 8' })
      .expect(401);

    const res = await activity(mac.accessToken, '?limit=100');
    expect(res.status).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(Object.keys(res.body).sort()).toEqual(['items', 'next_before']);
    expect(res.body.next_before).toBeNull();
    const items = res.body.items as Item[];
    for (const item of items) {
      expect(WEBHOOK_EVENT_TYPES).toContain(item.type);
      expect(
        Object.keys(item).every((k) => ['type', 'created_at', 'device', 'ip_hint'].includes(k)),
      ).toBe(true);
      expect(Number.isNaN(Date.parse(item.created_at))).toBe(false);
    }
    const times = items.map((i) => Date.parse(i.created_at));
    expect([...times].sort((a, b) => b - a)).toEqual(times);

    // Newest first: the address change (no other session was left to end), the password
    // change and the sessions it ended, the second factor, the ended Windows session, the
    // refused sign-in, the sign-ins.
    expect(items.map((i) => i.type)).toEqual([
      'user.email_changed',
      'user.password_changed',
      'session.revoked',
      'mfa.enabled',
      'session.revoked',
      'auth.login.failed',
      'auth.login.succeeded',
      'auth.login.succeeded',
      'auth.login.succeeded',
    ]);
    const [, , , , endedWindows, failed, windowsIn, macIn] = items;
    expect(macIn).toEqual({
      type: 'auth.login.succeeded',
      created_at: expect.any(String),
      device: 'Chrome on macOS',
      ip_hint: 'this_network',
    });
    expect(windowsIn).toMatchObject({ device: 'Firefox on Windows', ip_hint: 'another_network' });
    expect(endedWindows).toMatchObject({ type: 'session.revoked', device: 'Firefox on Windows' });
    expect(failed).toMatchObject({ device: null, ip_hint: 'another_network' });
    expect(items.at(-1)).toMatchObject({ device: 'watcher laptop' });

    const text = JSON.stringify(res.body);
    for (const secret of [member.email, newEmail, '198.51.100', '127.0.0.1', member.userId]) {
      expect(text).not.toContain(secret);
    }
  });

  it('pages with before/next_before, without overlap, to a last page whose next_before is null', async () => {
    const member = await h.signUp('pager');
    for (let i = 0; i < 4; i++) await loginFrom(member, CHROME_MAC);
    const all = (await activity(member.accessToken, '?limit=100')).body.items as Item[];
    expect(all).toHaveLength(5);

    const seen: Item[] = [];
    let query = '?limit=2';
    for (let pages = 0; pages < 5; pages++) {
      const page = await activity(member.accessToken, query);
      expect(page.status).toBe(200);
      seen.push(...(page.body.items as Item[]));
      if (page.body.next_before === null) break;
      expect(page.body.next_before).toMatch(/^[1-9]\d*$/);
      query = `?limit=2&before=${page.body.next_before}`;
    }
    expect(seen).toEqual(all);
    expect((await activity(member.accessToken)).body.items).toHaveLength(5);
  });

  it('answers 400 validation_failed for a cursor or limit that cannot be, 401 without a session', async () => {
    const member = await h.signUp('querier');
    for (const query of [
      '?limit=0',
      '?limit=101',
      '?limit=ten',
      '?before=abc',
      '?before=0',
      '?before=1;DROP',
      '?user_id=00000000-0000-4000-8000-000000000000',
    ]) {
      const res = await activity(member.accessToken, query);
      expect({ query, status: res.status, code: res.body.code }).toEqual({
        query,
        status: 400,
        code: 'validation_failed',
      });
    }
    const anonymous = await request(h.app.url).get('/auth/me/activity');
    expect(anonymous.status).toBe(401);
    expect(anonymous.body.code).toBe('unauthorized');
  });
});
