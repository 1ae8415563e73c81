/**
 * The `?code=` a federated sign-in hands the browser is a bearer credential for one sign-in:
 * whoever presents it first gets the session. Attacks covered: replaying a code (from a
 * browser history, a log, a Referer), presenting it after its 60 s, racing several
 * presentations of one code (exactly one wins), guessing, and reading it out of the database
 * (only its SHA-256 is stored). Every refusal is the same 400 `token_invalid` and is audited.
 * Time is a ManualClock that the tests move, never a sleep.
 */
import { createHash } from 'node:crypto';
import { OidcProviderStandIn } from '../support/oidc-provider';
import { ManualClock } from '../support/clock';
import { uniqueEmail } from '../support/flows';
import {
  auditRows,
  exchange,
  type FederatedApp,
  me,
  providerCode,
  startFederatedApp,
} from './federated-accounts.fixtures';
import { TestBrowser } from './federation.fixtures';
import { queryDb } from './mfa.helpers';

describe('the federated sign-in exchange code', () => {
  const clock = new ManualClock();
  let google: OidcProviderStandIn;
  let app: FederatedApp;

  beforeAll(async () => {
    google = await OidcProviderStandIn.start();
    app = await startFederatedApp('fed_exchange_code', google.googleEnv(), { clock });
  });
  afterAll(async () => {
    await app?.close();
    await google?.stop();
  });
  beforeEach(() => {
    google.user = { sub: 'g-3001', email: uniqueEmail('code'), email_verified: true };
  });

  const codeNow = () => providerCode(new TestBrowser(), app, 'google');

  function expectTokenInvalid(res: { status: number; body: Record<string, unknown> }): void {
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('token_invalid');
    expect(res.body.access_token).toBeUndefined();
  }

  it('works once: a replay is token_invalid, audited as oidc_code_invalid', async () => {
    const code = await codeNow();
    const first = await exchange(app, code);
    expect(first.status).toBe(200);
    expect((await me(app, first.body.access_token)).status).toBe(200);

    const before = (await auditRows(app, 'auth.login.failed')).length;
    expectTokenInvalid(await exchange(app, code));
    expect((await auditRows(app, 'auth.login.failed')).slice(before)).toMatchObject([
      { metadata: { reason: 'oidc_code_invalid', method: 'federated' } },
    ]);
    expect(app.app.logs.join('\n')).not.toContain(code);
  });

  it('lives 60 seconds: still good at 59, refused from the 60th on', async () => {
    const early = await codeNow();
    clock.advance(59);
    expect((await exchange(app, early)).status).toBe(200);

    const late = await codeNow();
    clock.advance(60);
    expectTokenInvalid(await exchange(app, late));
  });

  it('lets exactly one of several simultaneous presentations win', async () => {
    const code = await codeNow();
    const answers = await Promise.all(Array.from({ length: 6 }, () => exchange(app, code)));
    expect(answers.map((a) => a.status).sort()).toEqual([200, 400, 400, 400, 400, 400]);
    const sessions = new Set(answers.filter((a) => a.status === 200).map((a) => a.body.session_id));
    expect(sessions.size).toBe(1);
  });

  it('answers any other string as token_invalid, and a missing code as validation_failed', async () => {
    expectTokenInvalid(await exchange(app, 'not-a-code'));
    expectTokenInvalid(await exchange(app, 'x'.repeat(5000)));
    const missing = await exchange(app, '');
    expect(missing.status).toBe(400);
    expect(missing.body.code).toBe('validation_failed');
  });

  it('stores only the hash of a code', async () => {
    const code = await codeNow();
    const rows = await queryDb<{ code_hash: string }>(
      app.app.db.url,
      `SELECT code_hash FROM federation_codes`,
    );
    expect(rows.map((r) => r.code_hash)).toContain(createHash('sha256').update(code).digest('hex'));
    expect(JSON.stringify(rows)).not.toContain(code);
  });
});
