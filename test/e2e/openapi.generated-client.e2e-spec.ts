/**
 * The document is usable as clients use it: openapi-typescript generates types from the
 * committed docs/openapi.json, a client on openapi-fetch written against them type-checks
 * (and misuse does not: an unknown path, a missing body field, a field the answer lacks), and
 * that client signs in and reads /auth/me from the real app, getting typed problem details on
 * a wrong password.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { GOOD_PASSWORD, MailCatcher, registerVerified } from '@identity/testing';
import { startTestApp, type TestApp } from '../support/app';
import { testRunId } from '../support/database';

const ROOT = join(__dirname, '../..');
const DIR = join(ROOT, '.test-build', `openapi-client-${testRunId()}-${process.pid}`);

/** The client a consumer would write: typed by the generated `paths` only. */
const CLIENT = `import createClient from 'openapi-fetch';
import type { paths } from './schema';

export async function signInAndReadMe(baseUrl: string, email: string, password: string) {
  const client = createClient<paths>({ baseUrl });
  const login = await client.POST('/auth/login', { body: { email, password } });
  if (!login.data || !('access_token' in login.data) || !login.data.access_token) {
    throw new Error(\`login answered \${login.response.status}\`);
  }
  const me = await client.GET('/auth/me', {
    headers: { Authorization: \`Bearer \${login.data.access_token}\` },
  });
  if (!me.data) throw new Error(\`/auth/me answered \${me.response.status}\`);
  const profile: { id: string; email: string; email_verified: boolean; roles: string[] } = me.data;
  return { profile, sessionId: login.data.session_id, tokenType: login.data.token_type };
}

export async function wrongPassword(baseUrl: string, email: string) {
  const client = createClient<paths>({ baseUrl });
  const login = await client.POST('/auth/login', { body: { email, password: 'not-the-password' } });
  const code: string | undefined = login.error?.code;
  return { status: login.response.status, code };
}
`;

/** Misuse the generated types must refuse, one error each. */
const MISUSE = `import createClient from 'openapi-fetch';
import type { paths } from './schema';

export async function misuse(baseUrl: string) {
  const client = createClient<paths>({ baseUrl });
  await client.GET('/auth/no-such-route');
  await client.POST('/auth/login', { body: { email: 'a@b.c' } });
  const me = await client.GET('/auth/me');
  return me.data?.no_such_field;
}
`;

function tsc(file: string): { ok: boolean; output: string } {
  try {
    execFileSync(
      join(ROOT, 'node_modules/.bin/tsc'),
      [
        '--noEmit',
        '--strict',
        '--skipLibCheck',
        '--esModuleInterop',
        '--target',
        'es2022',
        '--module',
        'commonjs',
        '--moduleResolution',
        'node',
        '--lib',
        'es2023,dom',
        '--types',
        'node',
        file,
      ],
      { cwd: DIR, stdio: 'pipe' },
    );
    return { ok: true, output: '' };
  } catch (err) {
    return { ok: false, output: String((err as { stdout?: Buffer }).stdout ?? err) };
  }
}

describe('a client generated from the OpenAPI document', () => {
  const mail = new MailCatcher();
  let app: TestApp;

  beforeAll(async () => {
    const smtp = await mail.start();
    app = await startTestApp({
      label: 'openapi_client',
      env: { SMTP_URL: `smtp://127.0.0.1:${smtp}` },
    });
    mkdirSync(DIR, { recursive: true });
    // The CLI, as a consumer runs it (openapi-typescript is ESM only; jest's loader is not).
    execFileSync(
      process.execPath,
      [
        join(ROOT, 'node_modules/openapi-typescript/bin/cli.js'),
        join(ROOT, 'docs/openapi.json'),
        '--output',
        join(DIR, 'schema.ts'),
      ],
      { stdio: 'pipe' },
    );
    if (!readFileSync(join(DIR, 'schema.ts'), 'utf8').includes('"/auth/me"'))
      throw new Error('openapi-typescript produced no /auth/me');
    writeFileSync(join(DIR, 'client.ts'), CLIENT);
    writeFileSync(join(DIR, 'misuse.ts'), MISUSE);
  }, 60_000);
  afterAll(async () => {
    await app?.close();
    await mail.stop();
    rmSync(DIR, { recursive: true, force: true });
  });

  it('type-checks a client written against the generated types, and refuses misuse', () => {
    const good = tsc('client.ts');
    expect(good.output).toBe('');
    expect(good.ok).toBe(true);
    const bad = tsc('misuse.ts');
    expect(bad.ok).toBe(false);
    expect(bad.output).toMatch(/misuse\.ts\(6,/); // unknown path
    expect(bad.output).toMatch(/misuse\.ts\(7,/); // body without password
    expect(bad.output).toMatch(/misuse\.ts\(9,/); // a field /auth/me does not answer
  }, 120_000);

  it('signs in and reads /auth/me from the real app', async () => {
    const { signInAndReadMe, wrongPassword } = (await import(join(DIR, 'client.ts'))) as {
      signInAndReadMe(
        url: string,
        email: string,
        password: string,
      ): Promise<{
        profile: { id: string; email: string; email_verified: boolean; roles: string[] };
        sessionId: string;
        tokenType: string;
      }>;
      wrongPassword(url: string, email: string): Promise<{ status: number; code?: string }>;
    };
    const { email } = await registerVerified(app.url, mail);
    const result = await signInAndReadMe(app.url, email, GOOD_PASSWORD);
    expect(result.profile).toMatchObject({ email, email_verified: true, roles: ['user'] });
    expect(result.tokenType).toBe('Bearer');
    expect(result.sessionId).toMatch(/^[0-9a-f-]{36}$/);
    expect(await wrongPassword(app.url, email)).toEqual({
      status: 401,
      code: 'invalid_credentials',
    });
  });
});
