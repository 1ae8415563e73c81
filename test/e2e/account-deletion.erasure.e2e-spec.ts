/**
 * Deleting one's own account (API.md `DELETE /auth/me`). The attacks: someone holding a stolen
 * access token deletes the account (so deletion re-authenticates, under the account's
 * limits); a deleted account lingers (its sessions still work, its linked Google identity
 * still signs in, its second factor or personal data stay in the database); the audit trail
 * is lost with it (so it is kept, with the user id only); the last administrator deletes
 * themself and nobody can administer the platform (409 `last_admin`).
 */
import request from 'supertest';
import { GOOD_PASSWORD, MailCatcher, uniqueEmail } from '@identity/testing';
import { SessionsSocketClient } from '../../apps/identity/src/ws/client/sessions-socket.client';
import { ManualClock } from '../support/clock';
import { OidcProviderStandIn } from '../support/oidc-provider';
import { startAdminHarness, type AdminHarness } from './admin.fixtures';
import {
  type FederatedApp,
  federatedSignIn,
  passwordAccount,
  passwordLogin,
  startFederatedApp,
} from './federated-accounts.fixtures';
import { codeFor, enrol, queryDb, steadyStep } from './mfa.helpers';

const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });

describe("deleting one's own account", () => {
  const clock = new ManualClock();
  const mail = new MailCatcher();
  let google: OidcProviderStandIn;
  let app: FederatedApp;

  beforeAll(async () => {
    google = await OidcProviderStandIn.start();
    const port = await mail.start();
    app = await startFederatedApp(
      'account_deletion',
      { ...google.googleEnv(), SMTP_URL: `smtp://127.0.0.1:${port}` },
      { clock },
    );
  });
  afterAll(async () => {
    await app?.close();
    await google?.stop();
    await mail.stop();
  });

  const deleteMe = (token: string, body: Record<string, unknown>) =>
    request(app.url).delete('/auth/me').set(bearer(token)).send(body);
  const me = (token: string) => request(app.url).get('/auth/me').set(bearer(token));
  const db = <T>(sql: string, params: unknown[]) => queryDb<T>(app.app.db.url, sql, params);

  it('erases the account: sessions end (the socket hears account_deleted), personal data goes, the linked identity no longer signs in, audit rows stay with the id', async () => {
    const owner = await passwordAccount(app, { email: uniqueEmail('leaver'), name: 'Lea Ver' });
    const session = await passwordLogin(app, owner);
    const other = await passwordLogin(app, owner);

    // A linked Google identity (offered at a Google sign-in with the same address, linked
    // from the password session).
    google.user = { sub: 'g-leaver', email: owner.email, email_verified: true, name: 'Lea' };
    const offer = await federatedSignIn(app, 'google');
    expect(offer.status).toBe(409);
    await request(app.url)
      .post('/auth/oidc/link')
      .set(bearer(session))
      .send({ link_token: offer.body.link_token })
      .expect(200);
    const auditBefore = await db<{ n: number }>(
      `SELECT count(*)::int AS n FROM audit_log WHERE user_id = $1`,
      [owner.id],
    );

    const socket = await SessionsSocketClient.connect(app.url, { token: other });
    const deleted = await deleteMe(session, { password: owner.password });
    expect(deleted.status).toBe(204);
    const { payload } = await socket.next('revoked', 1_000);
    expect(payload).toMatchObject({ scope: 'user', reason: 'account_deleted' });
    socket.close();

    await me(session).expect(401);
    await me(other).expect(401);
    const login = await request(app.url)
      .post('/auth/login')
      .send({ email: owner.email, password: owner.password });
    expect(login.status).toBe(401);
    expect(login.body.code).toBe('invalid_credentials');

    // The row is a tombstone: no address, no name, no password; nothing of it elsewhere.
    const [row] = await db<Record<string, unknown>>(
      `SELECT status, email, email_normalized, name, password_hash, email_verified_at
         FROM users WHERE id = $1`,
      [owner.id],
    );
    expect(row).toEqual({
      status: 'deleted',
      email: `deleted-${owner.id}@deleted.invalid`,
      email_normalized: `deleted-${owner.id}@deleted.invalid`,
      name: null,
      password_hash: null,
      email_verified_at: null,
    });
    for (const table of [
      'federated_identities',
      'federation_codes',
      'mfa_totp',
      'mfa_recovery_codes',
    ]) {
      const [left] = await db<{ n: number }>(
        `SELECT count(*)::int AS n FROM ${table} WHERE user_id = $1`,
        [owner.id],
      );
      expect({ table, n: left!.n }).toEqual({ table, n: 0 });
    }
    const [live] = await db<{ n: number }>(
      `SELECT count(*)::int AS n FROM sessions WHERE user_id = $1 AND status = 'active'`,
      [owner.id],
    );
    expect(live!.n).toBe(0);

    // The audit trail is kept, and its new row names the account by id only.
    const auditAfter = await db<{ type: string; metadata: unknown }>(
      `SELECT type, metadata FROM audit_log WHERE user_id = $1 ORDER BY id`,
      [owner.id],
    );
    expect(auditAfter.length).toBeGreaterThan(auditBefore[0]!.n);
    expect(auditAfter.map((r) => r.type)).toContain('user.deleted');
    expect(JSON.stringify(auditAfter)).not.toContain(owner.email);
    expect(JSON.stringify(auditAfter)).not.toContain('Lea');

    // The address had one last mail.
    await eventually(() =>
      mail.mails.some(
        (m) => m.envelopeTo.includes(owner.email) && /was deleted/.test(m.headers.subject ?? ''),
      ),
    );

    // Google now signs in a stranger: a new account, not the deleted one.
    const again = await federatedSignIn(app, 'google');
    expect(again.status).toBe(200);
    const fresh = await me(again.body.access_token as string);
    expect(fresh.body.id).not.toBe(owner.id);
    expect(fresh.body.email).toBe(owner.email);
  });

  it('frees the address: it can register again, as a new account', async () => {
    const owner = await passwordAccount(app, { email: uniqueEmail('again') });
    await deleteMe(await passwordLogin(app, owner), { password: owner.password }).expect(204);
    const registered = await request(app.url)
      .post('/auth/register')
      .send({ email: owner.email, password: GOOD_PASSWORD });
    expect(registered.status).toBe(202);
    const [row] = await db<{ id: string }>(`SELECT id FROM users WHERE email_normalized = $1`, [
      owner.email.toLowerCase(),
    ]);
    expect(row?.id).toBeDefined();
    expect(row?.id).not.toBe(owner.id);
  });

  it('takes a code of the authenticator app instead of the password; a wrong one is 401 invalid_credentials', async () => {
    const owner = await passwordAccount(app, { email: uniqueEmail('coder') });
    const session = await passwordLogin(app, owner);
    const step = await steadyStep(clock);
    const { secret } = await enrol(app.url, session, owner.password, step);

    const wrong = await deleteMe(session, { code: codeFor(secret, step + 7) });
    expect(wrong.status).toBe(401);
    expect(wrong.body.code).toBe('invalid_credentials');
    await me(session).expect(200);

    const right = await deleteMe(session, { code: codeFor(secret, step) });
    expect(right.status).toBe(204);
    await me(session).expect(401);
  });

  it('refuses a wrong password (401 invalid_credentials) and keeps everything', async () => {
    const owner = await passwordAccount(app, { email: uniqueEmail('keeper') });
    const session = await passwordLogin(app, owner);
    const wrong = await deleteMe(session, { password: 'not the password 4' });
    expect(wrong.status).toBe(401);
    expect(wrong.body.code).toBe('invalid_credentials');
    expect((await me(session)).body.email).toBe(owner.email);
  });

  it('shares the sign-in limits: guessing ends in 429 too_many_attempts', async () => {
    const owner = await passwordAccount(app, { email: uniqueEmail('guessed') });
    const session = await passwordLogin(app, owner);
    let last: request.Response | undefined;
    for (let i = 0; i < 8; i++) {
      last = await deleteMe(session, { password: `wrong guess ${i}` });
      if (last.status === 429) break;
    }
    expect(last?.status).toBe(429);
    expect(last?.body.code).toBe('too_many_attempts');
    expect(Number(last?.headers['retry-after'])).toBeGreaterThan(0);
    // Even the right password waits now: nothing was deleted.
    expect((await deleteMe(session, { password: owner.password })).status).toBe(429);
    await me(session).expect(200);
  });

  it('answers 400 validation_failed without exactly one proof, 401 without a session, 403 csrf_failed for a cookie without the header', async () => {
    const owner = await passwordAccount(app, { email: uniqueEmail('shape') });
    const session = await passwordLogin(app, owner);
    for (const body of [
      {},
      { password: owner.password, code: '123456' },
      { password: 7 },
      { password: owner.password, now: true },
    ]) {
      const res = await deleteMe(session, body);
      expect(res.status).toBe(400);
      expect(res.body.code).toBe('validation_failed');
    }
    const anonymous = await request(app.url).delete('/auth/me').send({ password: owner.password });
    expect(anonymous.status).toBe(401);
    expect(anonymous.body.code).toBe('unauthorized');

    const cookieLogin = await request(app.url)
      .post('/auth/login')
      .set('X-Auth-Transport', 'cookie')
      .send({ email: owner.email, password: owner.password })
      .expect(200);
    const cookies = ([] as string[])
      .concat(cookieLogin.headers['set-cookie'] ?? [])
      .map((c) => c.split(';')[0]!)
      .join('; ');
    const forged = await request(app.url)
      .delete('/auth/me')
      .set('Cookie', cookies)
      .send({ password: owner.password });
    expect(forged.status).toBe(403);
    expect(forged.body.code).toBe('csrf_failed');
    await me(session).expect(200);
  });
});

describe('the last unlocked admin deleting themself', () => {
  let h: AdminHarness;

  beforeAll(async () => {
    h = await startAdminHarness({
      label: 'deletion_last_admin',
      env: { ADMIN_REQUIRE_MFA: 'false' },
    });
  });
  afterAll(async () => {
    await h?.close();
  });

  it('is refused with 409 last_admin and nothing changes; with a second admin it goes through', async () => {
    const refused = await request(h.app.url)
      .delete('/auth/me')
      .set(bearer(h.admin.accessToken))
      .send({ password: h.admin.password });
    expect(refused.status).toBe(409);
    expect(refused.body.code).toBe('last_admin');
    const still = await request(h.app.url).get('/auth/me').set(bearer(h.admin.accessToken));
    expect(still.status).toBe(200);
    expect(still.body.roles).toContain('admin');

    // An ordinary account is never held back by the rule.
    const user = await h.signUp('plain');
    await request(h.app.url)
      .delete('/auth/me')
      .set(bearer(user.accessToken))
      .send({ password: user.password })
      .expect(204);

    const second = await h.signUp('second-admin');
    await request(h.app.url)
      .put(`/admin/users/${second.userId}/roles`)
      .set(bearer(h.admin.accessToken))
      .send({ roles: ['user', 'admin'] })
      .expect(200);
    await request(h.app.url)
      .delete('/auth/me')
      .set(bearer(h.admin.accessToken))
      .send({ password: h.admin.password })
      .expect(204);
    // Now the second one is the last.
    const last = await request(h.app.url)
      .delete('/auth/me')
      .set(bearer(second.accessToken))
      .send({ password: second.password });
    expect(last.status).toBe(409);
    expect(last.body.code).toBe('last_admin');
  });
});

async function eventually(check: () => boolean, timeoutMs = 5_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 25));
  }
}
