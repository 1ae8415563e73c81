/**
 * The operator's CLI against a running platform (real Postgres and Redis): each command's
 * result and exit code, and that its changes reach the running instance as the admin API's
 * do. The attacks it answers: a user who lost the second factor must be helped without
 * anyone editing the database (reset-mfa ends every session, so whoever held the old factor
 * is out too); a locked account's tokens stop at once; and someone rewriting the audit log
 * is caught by `verify-audit-chain`, which names the first broken row and exits 1.
 * One test spawns the compiled entry (as the image runs it), the rest run it in-process.
 */
import { join } from 'node:path';
import request from 'supertest';
import { loadConfig } from '@identity/config';
import { createTestDatabase, GOOD_PASSWORD, login, TEST_REDIS_URL } from '@identity/testing';
import { Client } from 'pg';
import { type CliIo, runCli } from '../../apps/identity/src/cli';
import { SessionsSocketClient } from '../../apps/identity/src/ws/client/sessions-socket.client';
import { testEnv } from '../support/app';
import { type IdentityProcess, spawnIdentity, testBuildDir } from '../support/process';
import { type AdminHarness, bearer, startAdminHarness } from './admin.fixtures';
import { enrol, queryDb, steadyStep } from './mfa.helpers';

describe('CLI operations', () => {
  let h: AdminHarness;
  const sockets: SessionsSocketClient[] = [];
  const spawned: IdentityProcess[] = [];
  beforeAll(async () => {
    h = await startAdminHarness({ label: 'cli_ops', env: { ADMIN_REQUIRE_MFA: 'false' } });
  });
  afterAll(async () => {
    for (const s of sockets) s.close();
    // A process still running after a failed test must not outlive the file.
    for (const p of spawned) if (p.child.exitCode === null) p.child.kill('SIGKILL');
    await h.close();
  });

  const run = async (...argv: string[]) => {
    const out: string[] = [];
    const err: string[] = [];
    const io: CliIo = { out: (l) => out.push(l), err: (l) => err.push(l) };
    const code = await runCli(argv, h.app.config, io);
    return { code, out: out.join('\n'), err: err.join('\n') };
  };
  const me = (token: string) => request(h.app.url).get('/auth/me').set(bearer(token));
  const auditOf = async (userId: string, type: string) =>
    (
      await request(h.app.url)
        .get(`/admin/audit?user_id=${userId}&type=${type}`)
        .set(bearer(h.admin.accessToken))
        .expect(200)
    ).body.items as { metadata: Record<string, unknown> }[];

  it('reset-mfa removes the second factor, ends every session and tells its sockets', async () => {
    const user = await h.signUp('cli.mfa');
    await enrol(h.app.url, user.accessToken, user.password, await steadyStep(3));
    const socket = await SessionsSocketClient.connect(h.app.url, { token: user.accessToken });
    sockets.push(socket);

    const mailsTo = () => h.mail.mails.filter((m) => m.envelopeTo.includes(user.email)).length;
    const mailedBefore = mailsTo();
    const result = await run('reset-mfa', '--email', user.email);
    expect(result).toMatchObject({ code: 0 });
    expect(result.out).toContain(user.userId);
    expect(result.out).toContain('second factor removed, 1 session(s) revoked');

    const { payload } = await socket.next('revoked', 5_000);
    expect(payload).toMatchObject({ scope: 'user', reason: 'session_revoked' });
    expect(await socket.disconnected(5_000)).toBe('io server disconnect');
    await me(user.accessToken).expect(401);
    // The password alone signs in now: no MFA step.
    const again = await request(h.app.url)
      .post('/auth/login')
      .send({ email: user.email, password: user.password })
      .expect(200);
    expect(again.body.mfa_required).toBeUndefined();
    expect(again.body.access_token).toEqual(expect.any(String));

    // The owner is told (by whichever instance's outbox worker gets there first).
    const until = Date.now() + 10_000;
    while (mailsTo() === mailedBefore && Date.now() < until) {
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(mailsTo()).toBe(mailedBefore + 1);
    const [row] = await auditOf(user.userId, 'mfa.disabled');
    expect(row?.metadata).toEqual({ actorId: 'cli' });
    // Idempotent, and says so.
    const twice = await run('reset-mfa', '--email', user.email);
    expect(twice.code).toBe(0);
    expect(twice.out).toContain('had no second factor');
  });

  it('lock ends the sessions and refuses sign-in; unlock lets the account in again', async () => {
    const user = await h.signUp('cli.lock');
    const locked = await run('lock', '--email', user.email);
    expect(locked).toMatchObject({ code: 0 });
    expect(locked.out).toContain('is locked');
    await me(user.accessToken).expect(401);
    const refused = await request(h.app.url)
      .post('/auth/login')
      .send({ email: user.email, password: user.password });
    expect(refused.status).not.toBe(200);
    expect((await auditOf(user.userId, 'user.locked'))[0]?.metadata).toEqual({ actorId: 'cli' });

    const unlocked = await run('unlock', '--email', user.email);
    expect(unlocked).toMatchObject({ code: 0 });
    expect(unlocked.out).toContain('is unlocked');
    const session = await login(h.app.url, { email: user.email, password: GOOD_PASSWORD });
    await me(session.accessToken).expect(200);
  });

  it('refuses unknown accounts and the last admin with exit 1, changing nothing', async () => {
    for (const command of ['reset-mfa', 'lock', 'unlock']) {
      const unknown = await run(command, '--email', 'nobody.here@example.test');
      expect({ command, code: unknown.code }).toEqual({ command, code: 1 });
      expect(unknown.err).toContain('No account has the email');
    }
    const lastAdmin = await run('lock', '--email', h.admin.email);
    expect(lastAdmin.code).toBe(1);
    expect(lastAdmin.err).toContain('last unlocked admin');
    await me(h.admin.accessToken).expect(200);
  });

  it('rotate-keys publishes a new signing key; the old one stays in JWKS', async () => {
    const jwks = async () =>
      (
        (await request(h.app.url).get('/.well-known/jwks.json').expect(200)).body.keys as {
          kid: string;
        }[]
      ).map((k) => k.kid);
    const before = await jwks();
    const result = await run('rotate-keys');
    expect(result.code).toBe(0);
    const kid = /signing key rotated: (\S+) signs/.exec(result.out)?.[1];
    expect(before).not.toContain(kid);
    // The running instance hears of it through the kv channel.
    const until = Date.now() + 10_000;
    let after = await jwks();
    while (!after.includes(kid ?? '') && Date.now() < until) {
      await new Promise((r) => setTimeout(r, 100));
      after = await jwks();
    }
    expect(after).toEqual(expect.arrayContaining([...before, kid]));
  });

  it('purge deletes dead sessions and old delivered outbox rows, and nothing alive', async () => {
    const user = await h.signUp('cli.purge');
    const dead = await login(h.app.url, { email: user.email, password: GOOD_PASSWORD });
    const url = h.app.db.url;
    await queryDb(
      url,
      `UPDATE sessions SET expires_at = now() - interval '2 days'
        WHERE user_id = $1 AND id <> ALL(
          SELECT id FROM sessions WHERE user_id = $1 ORDER BY created_at LIMIT 1)`,
      [user.userId],
    );
    const [old] = await queryDb<{ id: string }>(
      url,
      `UPDATE outbox SET delivered_at = now() - interval '8 days'
        WHERE id = (SELECT id FROM outbox WHERE delivered_at IS NOT NULL ORDER BY id LIMIT 1)
        RETURNING id::text AS id`,
    );
    const result = await run('purge');
    expect(result.code).toBe(0);
    const counts = /purged (\d+) dead session.* and (\d+) delivered/.exec(result.out);
    expect(Number(counts?.[1])).toBeGreaterThanOrEqual(1);
    // The CLI's module tree runs the outbox worker too, whose first pass may purge first.
    expect(Number(counts?.[2])).toBeGreaterThanOrEqual(0);
    const outboxLeft = await queryDb(url, `SELECT 1 FROM outbox WHERE id = $1`, [old?.id]);
    expect(outboxLeft).toEqual([]);
    const left = await queryDb<{ n: number }>(
      url,
      `SELECT count(*)::int AS n FROM sessions WHERE user_id = $1`,
      [user.userId],
    );
    expect(left[0]?.n).toBe(1);
    await me(user.accessToken).expect(200);
    await request(h.app.url)
      .post('/auth/refresh')
      .send({ refresh_token: dead.refreshToken })
      .expect(401);
  });

  it('verify-audit-chain passes an intact log and names the first tampered row', async () => {
    const intact = await run('verify-audit-chain');
    expect(intact.code).toBe(0);
    expect(intact.out).toMatch(/audit chain intact: \d+ row\(s\) verified/);

    const rows = await queryDb<{ id: string; metadata: unknown }>(
      h.app.db.url,
      `SELECT id::text AS id, metadata FROM audit_log ORDER BY id LIMIT 3`,
    );
    const victim = rows[1];
    if (!victim) throw new Error('expected audit rows from the sign-ups');
    // Whoever tampers has to get past the append-only trigger first: a superuser can.
    const rewrite = async (metadata: unknown) => {
      const client = new Client({ connectionString: h.app.db.url });
      await client.connect();
      try {
        await client.query('BEGIN');
        await client.query('SET LOCAL session_replication_role = replica');
        await client.query('UPDATE audit_log SET metadata = $1::jsonb WHERE id = $2', [
          JSON.stringify(metadata),
          victim.id,
        ]);
        await client.query('COMMIT');
      } finally {
        await client.end();
      }
    };
    await rewrite({ forged: true });
    try {
      const broken = await run('verify-audit-chain');
      expect(broken.code).toBe(1);
      expect(broken.err).toContain(`audit chain BROKEN at row id ${victim.id}`);
    } finally {
      await rewrite(victim.metadata);
    }
    expect((await run('verify-audit-chain')).code).toBe(0);
  });

  it('exits 1 with one line when the platform cannot start (database down)', async () => {
    const config = loadConfig(
      testEnv({ DATABASE_URL: 'postgres://postgres@127.0.0.1:1/none', LOG_LEVEL: 'fatal' }),
    );
    const err: string[] = [];
    const code = await runCli(['rotate-keys'], config, { out: () => {}, err: (l) => err.push(l) });
    expect(code).toBe(1);
    expect(err.at(-1)).toMatch(/^failed: .*ECONNREFUSED/);
  });

  it('migrate status/up: reports pending migrations (exit 1), applies them, then exit 0', async () => {
    const empty = await createTestDatabase('cli_migrate', { empty: true });
    try {
      const config = loadConfig(testEnv({ DATABASE_URL: empty.url }));
      const runOn = async (...argv: string[]) => {
        const out: string[] = [];
        const code = await runCli(argv, config, { out: (l) => out.push(l), err: () => {} });
        return { code, out: out.join('\n') };
      };
      const pending = await runOn('migrate', 'status');
      expect(pending.code).toBe(1);
      expect(pending.out).toMatch(/pending {2}InitialSchema1764000000000/);
      const up = await runOn('migrate', 'up');
      expect(up.code).toBe(0);
      expect(up.out).toContain('applied: InitialSchema1764000000000');
      const done = await runOn('migrate', 'status');
      expect(done.code).toBe(0);
      expect(done.out).toContain('schema is up to date');
      expect((await runOn('migrate', 'up')).out).toBe('schema is up to date');
    } finally {
      await empty.drop();
    }
  });

  it('answers bad usage with exit 2 and help with exit 0', async () => {
    for (const argv of [
      ['reset-mfa'],
      ['lock', '--email', 'not-an-email'],
      ['unlock', '--email'],
      ['rotate-keys', '--email', 'a@example.test'],
      ['purge', 'now'],
      ['migrate'],
      ['migrate', 'down'],
      ['verify-audit-chain', '--force'],
      ['frobnicate'],
    ]) {
      const bad = await run(...argv);
      expect({ argv, code: bad.code }).toEqual({ argv, code: 2 });
      expect(bad.err).toContain('Usage: node dist/apps/identity/src/cli.js <command>');
    }
    const help = await run('--help');
    expect(help.code).toBe(0);
    expect(help.err).toContain('verify-audit-chain');
  });

  it('runs compiled, as the image does: node dist/.../cli.js, exit codes included', async () => {
    const cli = join(testBuildDir(), 'apps/identity/src/cli.js');
    const env = testEnv({
      DATABASE_URL: h.app.db.url,
      REDIS_URL: TEST_REDIS_URL,
      REDIS_KEY_PREFIX: h.app.config.redis.keyPrefix,
    });
    // At once: each is a process of its own, and the machine is shared.
    const ok = spawnIdentity(env, undefined, [cli, 'verify-audit-chain']);
    const usage = spawnIdentity(env, undefined, [cli, 'lock']);
    // A database that is not there: a clear line on stderr and exit 1, not a hang.
    const down = spawnIdentity(
      { ...env, DATABASE_URL: 'postgres://postgres@127.0.0.1:1/none' },
      undefined,
      [cli, 'purge'],
    );
    spawned.push(ok, usage, down);
    expect(await ok.exited).toBe(0);
    expect(ok.stdout()).toMatch(/audit chain intact/);
    expect(await usage.exited).toBe(2);
    expect(usage.stderr()).toContain('lock needs --email');
    expect(await down.exited).toBe(1);
    expect(down.stderr()).toContain('failed:');
  }, 120_000);
});
