/**
 * Moving an account to another address (API.md `POST /auth/change-email`,
 * `POST /auth/confirm-email-change`). The attacks: someone holding a stolen access token
 * moves the account to their own mailbox, then resets the password there and owns it; or
 * uses the request to learn which addresses have accounts; or moves an account to an address
 * they do not control. So the request needs the password (under the account's sign-in
 * limits), changes nothing, mails a link to the new address and tells the current one; only
 * the link, opened from the new mailbox, moves the account (verified), kills every reset and
 * verification link that went to the old mailbox and every other session. Whether the new
 * address is taken is answered only to whoever confirms from that mailbox (409), never at
 * the request.
 */
import request from 'supertest';
import { GOOD_PASSWORD, mailedToken, uniqueEmail } from '@identity/testing';
import { queryDb } from './mfa.helpers';
import {
  bearer,
  type Member,
  type SelfServiceHarness,
  startSelfServiceHarness,
} from './self-service.fixtures';

describe('email change, confirmed from the new mailbox', () => {
  let h: SelfServiceHarness;

  beforeAll(async () => {
    h = await startSelfServiceHarness('email_change');
  });
  afterAll(async () => {
    await h?.close();
  });

  const me = (token: string) => request(h.app.url).get('/auth/me').set(bearer(token));
  const changeEmail = (member: Member, body: Record<string, unknown>) =>
    request(h.app.url).post('/auth/change-email').set(bearer(member.accessToken)).send(body);
  const confirm = (token: string) =>
    request(h.app.url).post('/auth/confirm-email-change').send({ token });
  const mailsTo = (address: string) =>
    h.mail.mails.filter((m) =>
      m.envelopeTo.some((to) => to.toLowerCase() === address.toLowerCase()),
    );
  const signIn = (email: string, password = GOOD_PASSWORD) =>
    request(h.app.url).post('/auth/login').send({ email, password });

  it('changes nothing until the link mailed to the new address is confirmed; then moves the account, verified, and ends the other sessions', async () => {
    const member = await h.signUp('mover');
    const phone = await h.anotherSession(member, 'phone');
    const newEmail = uniqueEmail('moved');

    const requested = await changeEmail(member, { new_email: newEmail, password: member.password });
    expect(requested.status).toBe(202);
    expect(requested.body).toEqual({ status: 'confirmation_sent' });

    // The link goes to the new address, as API.md puts it; the current address is told.
    const token = await mailedToken(h.mail, newEmail, 'confirm-email-change');
    const linkMail = mailsTo(newEmail).at(-1)!;
    expect(linkMail.text).toContain('https://id.example.test/confirm-email-change?token=');
    expect(linkMail.text).toContain('30 minutes');
    const requestedNotice = () =>
      mailsTo(member.email).find((m) => m.headers.subject?.includes('requested'));
    await eventually(() => requestedNotice() !== undefined);
    const notice = requestedNotice();
    expect(notice?.text).toContain(newEmail);
    expect(notice?.text).not.toContain(token);

    // Nothing changed yet: the profile, sign-in with the old address, every session.
    expect((await me(member.accessToken)).body.email).toBe(member.email);
    expect((await signIn(member.email)).status).toBe(200);
    expect((await signIn(newEmail)).status).toBe(401);
    await me(phone.accessToken).expect(200);

    // Confirmed from the new mailbox (another browser, no session): 200 with the profile.
    const confirmed = await confirm(token);
    expect(confirmed.status).toBe(200);
    expect(confirmed.headers['cache-control']).toBe('no-store');
    expect(confirmed.body).toEqual({
      id: member.userId,
      email: newEmail,
      name: null,
      email_verified: true,
      mfa_enabled: false,
      roles: ['user'],
      permissions: [],
      created_at: expect.any(String),
    });

    // Every session of the account ended (this browser had none of them).
    await me(member.accessToken).expect(401);
    await me(phone.accessToken).expect(401);
    expect((await signIn(member.email)).status).toBe(401);
    const fresh = await signIn(newEmail);
    expect(fresh.status).toBe(200);
    expect((await me(fresh.body.access_token as string)).body.email).toBe(newEmail);

    // The old address is told it happened; the link works once.
    await eventually(() =>
      mailsTo(member.email).some((m) => /was changed/.test(m.headers.subject ?? '')),
    );
    const again = await confirm(token);
    expect(again.status).toBe(400);
    expect(again.body.code).toBe('token_invalid');

    // The audit trail names the account by id only.
    const rows = await queryDb<{ type: string; user_id: string; metadata: unknown }>(
      h.app.db.url,
      `SELECT type, user_id, metadata FROM audit_log
        WHERE user_id = $1 AND type IN ('user.email_change_requested', 'user.email_changed')
        ORDER BY id`,
      [member.userId],
    );
    expect(rows.map((r) => r.type)).toEqual(['user.email_change_requested', 'user.email_changed']);
    expect(JSON.stringify(rows)).not.toContain('@');
  });

  it('keeps the session of the browser that confirms while signed in to the account', async () => {
    const member = await h.signUp('keeper');
    const other = await h.anotherSession(member, 'tablet');
    const newEmail = uniqueEmail('kept');
    await changeEmail(member, { new_email: newEmail, password: member.password }).expect(202);
    const token = await mailedToken(h.mail, newEmail, 'confirm-email-change');
    const confirmed = await request(h.app.url)
      .post('/auth/confirm-email-change')
      .set(bearer(member.accessToken))
      .send({ token });
    expect(confirmed.status).toBe(200);
    expect((await me(member.accessToken)).body.email).toBe(newEmail);
    await me(other.accessToken).expect(401);
  });

  it('voids reset and verification links that went to the old mailbox, and an earlier pending change', async () => {
    const member = await h.signUp('voider');
    await request(h.app.url)
      .post('/auth/forgot-password')
      .send({ email: member.email })
      .expect(202);
    const resetToken = await mailedToken(h.mail, member.email, 'reset-password');

    const first = uniqueEmail('first');
    const second = uniqueEmail('second');
    await changeEmail(member, { new_email: first, password: member.password }).expect(202);
    const firstToken = await mailedToken(h.mail, first, 'confirm-email-change');
    await changeEmail(member, { new_email: second, password: member.password }).expect(202);
    const secondToken = await mailedToken(h.mail, second, 'confirm-email-change');

    // Only the latest request stands.
    expect((await confirm(firstToken)).body.code).toBe('token_invalid');
    await confirm(secondToken).expect(200);

    const reset = await request(h.app.url)
      .post('/auth/reset-password')
      .send({ token: resetToken, new_password: 'quartz-Lantern-58-meadow' });
    expect(reset.status).toBe(400);
    expect(reset.body.code).toBe('token_invalid');
  });

  it('expires the link after RESET_TOKEN_TTL (moved clock)', async () => {
    const member = await h.signUp('late');
    const newEmail = uniqueEmail('late-new');
    await changeEmail(member, { new_email: newEmail, password: member.password }).expect(202);
    const token = await mailedToken(h.mail, newEmail, 'confirm-email-change');
    h.clock.advance(1800);
    const late = await confirm(token);
    expect(late.status).toBe(400);
    expect(late.body.code).toBe('token_invalid');
  });

  it('answers a taken address only at confirmation (409 email_taken), changing nothing; the link stays usable', async () => {
    const owner = await h.signUp('owner');
    const member = await h.signUp('taker');
    const free = uniqueEmail('free');

    // The request answers the same for a taken and a free address.
    const taken = await changeEmail(member, { new_email: owner.email, password: member.password });
    const untaken = await changeEmail(member, { new_email: free, password: member.password });
    expect(taken.status).toBe(202);
    expect(untaken.status).toBe(202);
    expect(taken.body).toEqual(untaken.body);

    // Asked for the owner's address again (the free one was the latest request).
    const upper = owner.email.toUpperCase();
    await changeEmail(member, { new_email: upper, password: member.password }).expect(202);
    const links = () => mailsTo(upper).filter((m) => m.text.includes('confirm-email-change?'));
    await eventually(() => links().length === 2);
    const token = tokenIn(links().at(-1)!.text);
    const conflict = await confirm(token);
    expect(conflict.status).toBe(409);
    expect(conflict.body.code).toBe('email_taken');
    expect(conflict.headers['content-type']).toMatch(/application\/problem\+json/);
    expect((await me(member.accessToken)).body.email).toBe(member.email);
    expect((await me(owner.accessToken)).body.email).toBe(owner.email);

    // Once the owner has moved away, the same link works.
    const elsewhere = uniqueEmail('elsewhere');
    await changeEmail(owner, { new_email: elsewhere, password: owner.password }).expect(202);
    await confirm(await mailedToken(h.mail, elsewhere, 'confirm-email-change')).expect(200);
    const moved = await confirm(token);
    expect(moved.status).toBe(200);
    expect(moved.body.email).toBe(upper);
  });

  it('lets exactly one of two accounts confirming one address at the same moment have it', async () => {
    const target = uniqueEmail('contested');
    const a = await h.signUp('racer-a');
    const b = await h.signUp('racer-b');
    await changeEmail(a, { new_email: target, password: a.password }).expect(202);
    await changeEmail(b, { new_email: target, password: b.password }).expect(202);
    await eventually(() => mailsTo(target).length >= 2);
    const tokens = mailsTo(target).map((m) =>
      decodeURIComponent(/confirm-email-change\?token=([A-Za-z0-9_%-]+)/.exec(m.text)![1]!),
    );
    const answers = await Promise.all(tokens.map((t) => confirm(t)));
    expect(answers.map((r) => r.status).sort()).toEqual([200, 409]);
    expect(answers.find((r) => r.status === 409)!.body.code).toBe('email_taken');
  });

  it('refuses a wrong password (401 invalid_credentials) and mails nothing', async () => {
    const member = await h.signUp('wrong');
    const newEmail = uniqueEmail('never');
    const wrong = await changeEmail(member, {
      new_email: newEmail,
      password: 'not the password 9',
    });
    expect(wrong.status).toBe(401);
    expect(wrong.body.code).toBe('invalid_credentials');
    // A code is for accounts without a password: this one has one.
    const code = await changeEmail(member, { new_email: newEmail, code: '123456' });
    expect(code.status).toBe(401);
    expect(code.body.code).toBe('invalid_credentials');
    await new Promise((r) => setTimeout(r, 300));
    expect(mailsTo(newEmail)).toEqual([]);
  });

  it('answers 400 validation_failed for a malformed request, 401 without a session', async () => {
    const member = await h.signUp('malformed');
    const cases: Record<string, unknown>[] = [
      { new_email: 'not-an-email', password: member.password },
      { new_email: 'a"b"@example.com', password: member.password },
      { new_email: uniqueEmail(), password: member.password, code: '123456' },
      { new_email: uniqueEmail() },
      { password: member.password },
      { new_email: uniqueEmail(), password: member.password, email_verified: true },
    ];
    for (const body of cases) {
      const res = await changeEmail(member, body);
      expect(res.status).toBe(400);
      expect(res.body.code).toBe('validation_failed');
    }
    const anonymous = await request(h.app.url)
      .post('/auth/change-email')
      .send({ new_email: uniqueEmail(), password: GOOD_PASSWORD });
    expect(anonymous.status).toBe(401);
    expect(anonymous.body.code).toBe('unauthorized');
    for (const body of [{}, { token: '' }, { token: 'x'.repeat(43), extra: 1 }]) {
      const res = await request(h.app.url).post('/auth/confirm-email-change').send(body);
      expect(res.status).toBe(400);
      expect(res.body.code).toBe('validation_failed');
    }
    const unknown = await confirm('x'.repeat(43));
    expect(unknown.status).toBe(400);
    expect(unknown.body.code).toBe('token_invalid');
  });

  it("shares the account's sign-in limits: wrong passwords end in 429 too_many_attempts with Retry-After", async () => {
    const member = await h.signUp('guesser');
    const statuses: number[] = [];
    let limited: request.Response | undefined;
    for (let i = 0; i < 8 && !limited; i++) {
      const res = await changeEmail(member, {
        new_email: uniqueEmail(),
        password: `guess ${i} wrong`,
      });
      statuses.push(res.status);
      if (res.status === 429) limited = res;
    }
    expect(statuses.slice(0, 5)).toEqual([401, 401, 401, 401, 401]);
    expect(limited?.body.code).toBe('too_many_attempts');
    expect(Number(limited?.headers['retry-after'])).toBeGreaterThan(0);
    // The same limit stands in front of signing in with the right password.
    const login = await signIn(member.email);
    expect(login.status).toBe(429);
  });

  it("counts every request against the new address's mail budget: 429 rate_limited with Retry-After", async () => {
    const member = await h.signUp('spammer');
    const victim = uniqueEmail('victim');
    for (let i = 0; i < 3; i++) {
      await changeEmail(member, { new_email: victim, password: member.password }).expect(202);
    }
    const fourth = await changeEmail(member, { new_email: victim, password: member.password });
    expect(fourth.status).toBe(429);
    expect(fourth.body.code).toBe('rate_limited');
    expect(Number(fourth.headers['retry-after'])).toBeGreaterThan(0);
  });
});

async function eventually(
  check: () => boolean | Promise<boolean>,
  timeoutMs = 5_000,
): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 25));
  }
}

function tokenIn(text: string): string {
  const match = /confirm-email-change\?token=([A-Za-z0-9_%-]+)/.exec(text);
  if (!match) throw new Error('no confirm-email-change link in the mail');
  return decodeURIComponent(match[1]!);
}
