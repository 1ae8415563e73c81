/**
 * The first admin from the command line (`npm run cli -- create-admin --email ...`): it
 * grants `admin` to an existing account, in the running platform's database, and the running
 * instances honour it at once (the change is announced on the kv channel). Unknown accounts
 * and bad usage are refused with distinct exit codes and change nothing.
 */
import request from 'supertest';
import { type CliIo, runCli } from '../../apps/identity/src/cli';
import { type AdminHarness, bearer, startAdminHarness } from './admin.fixtures';
import { GrpcTestClient } from './grpc.fixtures';

describe('CLI create-admin', () => {
  let h: AdminHarness;
  let grpc: GrpcTestClient;
  beforeAll(async () => {
    h = await startAdminHarness({ label: 'admin_cli', env: { ADMIN_REQUIRE_MFA: 'false' } });
    grpc = new GrpcTestClient(h.app.grpcAddress);
  });
  afterAll(async () => {
    grpc.close();
    await h.close();
  });

  const run = async (...argv: string[]) => {
    const out: string[] = [];
    const err: string[] = [];
    const io: CliIo = { out: (l) => out.push(l), err: (l) => err.push(l) };
    const code = await runCli(argv, h.app.config, io);
    return { code, out: out.join('\n'), err: err.join('\n') };
  };

  it('makes an existing account admin, effective at once on the running instance', async () => {
    const user = await h.signUp('cli');
    await request(h.app.url).get('/admin/roles').set(bearer(user.accessToken)).expect(403);
    const result = await run('create-admin', '--email', user.email.toUpperCase());
    expect(result).toMatchObject({ code: 0 });
    expect(result.out).toContain(user.userId);
    expect(result.out).toContain('admin, user');
    await request(h.app.url).get('/admin/roles').set(bearer(user.accessToken)).expect(200);
    expect((await grpc.getUserPermissions(user.userId)).permissions).toEqual(['identity:admin']);
    const audit = await request(h.app.url)
      .get(`/admin/audit?user_id=${user.userId}&type=user.roles_changed`)
      .set(bearer(h.admin.accessToken));
    expect(audit.body.items[0].metadata).toMatchObject({ roles: ['admin', 'user'] });
    // Idempotent.
    expect((await run('create-admin', '--email', user.email)).code).toBe(0);
  });

  it('never makes an account admin before its email is verified', async () => {
    const email = `unverified.${Date.now().toString(36)}@example.test`;
    await request(h.app.url)
      .post('/auth/register')
      .send({ email, password: 'correct horse battery staple 42' })
      .expect(202);
    const refused = await run('create-admin', '--email', email);
    expect(refused.code).toBe(1);
    expect(refused.err).toContain('has not verified its email');
    const found = await request(h.app.url)
      .get(`/admin/users?email=${encodeURIComponent(email)}`)
      .set(bearer(h.admin.accessToken));
    expect(found.body.items[0].roles).toEqual(['user']);
  });

  it('refuses an unknown account (exit 1) and bad usage (exit 2)', async () => {
    const unknown = await run('create-admin', '--email', 'nobody.at.all@example.test');
    expect(unknown.code).toBe(1);
    expect(unknown.err).toContain('Register it first');
    for (const argv of [
      ['create-admin'],
      ['create-admin', '--email', 'not-an-email'],
      ['make-me-admin', '--email', 'a@example.test'],
      ['create-admin', '--email', 'a@example.test', '--force'],
    ]) {
      const bad = await run(...argv);
      expect({ argv, code: bad.code }).toEqual({ argv, code: 2 });
      expect(bad.err).toContain('Usage: node dist/apps/identity/src/cli.js <command>');
    }
  });
});
