/**
 * What a security team alerts on must be on `/metrics`, counted from the real flows: a
 * password-guessing run that trips the lockout and then the limiter, a replayed refresh token,
 * a wrong MFA code, a revocation pushed to a connected socket. Labels must never carry a user,
 * an email or an address. With `METRICS_PORT` the scrape moves to a listener of its own and
 * the public port answers 404, so a firewall can keep it private. Every metric the shipped
 * alert rules and dashboard (deploy/monitoring) name must exist in a live scrape: a renamed
 * metric would otherwise silence an alert without anyone noticing.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import request from 'supertest';
import { parse as parseYaml } from 'yaml';
import { GOOD_PASSWORD, login, uniqueEmail } from '@identity/testing';
import { SessionsSocketClient } from '../../apps/identity/src/ws/client/sessions-socket.client';
import { UserFactory } from '../support/factories';
import { startTestApp, type TestApp } from '../support/app';
import { ManualClock } from '../support/clock';
import { codeFor, enrol, passwordStep, steadyStep } from './mfa.helpers';

const MONITORING = join(__dirname, '../../deploy/monitoring');
/** Series Prometheus makes itself, never in an exposition. */
const PROMETHEUS_OWN = new Set(['up']);

/** The value of the sample `name{labels}` in a Prometheus text exposition (0 when absent). */
function sample(text: string, name: string, labels: Record<string, string> = {}): number {
  for (const line of text.split('\n')) {
    if (line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const have = Object.fromEntries(
      [...(m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((l) => [l[1], l[2]]),
    );
    if (Object.entries(labels).every(([k, v]) => have[k] === v)) return Number(m[3]);
  }
  return 0;
}

/** Metric families a scrape exposes (`# TYPE` lines), with histogram/summary series names. */
function exposedNames(text: string): Set<string> {
  const names = new Set<string>();
  for (const m of text.matchAll(/^# TYPE (\S+) (\S+)$/gm)) {
    names.add(m[1]!);
    if (m[2] === 'histogram' || m[2] === 'summary')
      for (const s of ['_bucket', '_sum', '_count']) names.add(`${m[1]!}${s}`);
  }
  return names;
}

/** Metric names a PromQL expression uses, read loosely: identifiers outside braces and strings. */
function metricNamesIn(expr: string): string[] {
  const bare = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '""')
    .replace(/\{[^}]*\}/g, '{}')
    .replace(/\[[^\]]*\]/g, '[]')
    .replace(/\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, '');
  const words = bare.match(/[a-zA-Z_:][a-zA-Z0-9_:]*/g) ?? [];
  // Metric names of this platform all have a unit or `_total` suffix or a known prefix;
  // PromQL functions and keywords do not.
  return words.filter(
    (w) => /^(identity_|webhook_|http_|process_|nodejs_)/.test(w) || PROMETHEUS_OWN.has(w),
  );
}

describe('security metrics on /metrics', () => {
  /** The app's time: TOTP steps are pinned, not raced. */
  const clock = new ManualClock();
  let app: TestApp;
  let users: UserFactory;
  const sockets: SessionsSocketClient[] = [];
  const scrape = async () => (await request(app.url).get('/metrics').expect(200)).text;
  /** Polls the scrape until `check` holds (counters move after commit). */
  async function eventually(check: (text: string) => boolean): Promise<string> {
    const until = Date.now() + 10_000;
    for (;;) {
      const text = await scrape();
      if (check(text)) return text;
      if (Date.now() > until) return text;
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  beforeAll(async () => {
    app = await startTestApp({
      clock,
      label: 'security_metrics',
      env: { LOGIN_FREE_FAILURES: '2', LOGIN_BACKOFF_BASE: '60', ADMIN_REQUIRE_MFA: 'false' },
    });
    users = new UserFactory(app.running.app);
  });
  afterAll(async () => {
    for (const s of sockets) s.close();
    await app.close();
  });

  it('counts a guessing run: failed sign-ins, the lockout it trips, and the 429s after it', async () => {
    const before = await scrape();
    const user = await users.create({ email: uniqueEmail('guess') });
    const guess = () =>
      request(app.url).post('/auth/login').send({ email: user.email, password: 'wrong guess 123' });
    for (let i = 0; i < 3; i++) expect((await guess()).status).toBe(401);
    expect((await guess()).status).toBe(429);
    const ok = await request(app.url)
      .post('/auth/login')
      .send({ email: uniqueEmail('nobody'), password: GOOD_PASSWORD });
    expect(ok.status).toBe(401);
    const key = { method: 'password', outcome: 'invalid_credentials' };
    const after = await eventually(
      (t) =>
        sample(t, 'identity_sign_ins_total', key) >=
        sample(before, 'identity_sign_ins_total', key) + 4,
    );
    expect(sample(after, 'identity_sign_ins_total', key)).toBe(
      sample(before, 'identity_sign_ins_total', key) + 4,
    );
    const lock = { scope: 'email_ip' };
    expect(sample(after, 'identity_login_lockouts_total', lock)).toBe(
      sample(before, 'identity_login_lockouts_total', lock) + 1,
    );
    const gate = { limiter: 'login-lock' };
    expect(sample(after, 'identity_rate_limit_refusals_total', gate)).toBe(
      sample(before, 'identity_rate_limit_refusals_total', gate) + 1,
    );
    // No label value names the user or the client.
    expect(after).not.toContain(user.email);
    expect(after).not.toContain(user.id);
    expect(after).not.toContain('127.0.0.1');
  });

  it('counts successful sign-ins, a replayed refresh token, the revocation and its push', async () => {
    const before = await scrape();
    const user = await users.create({ email: uniqueEmail('reuse') });
    const first = await login(app.url, { email: user.email, password: GOOD_PASSWORD });
    const socket = await SessionsSocketClient.connect(app.url, { token: first.accessToken });
    sockets.push(socket);
    expect(sample(await scrape(), 'identity_sockets_connected')).toBeGreaterThanOrEqual(1);
    const rotated = await request(app.url)
      .post('/auth/refresh')
      .send({ refresh_token: first.refreshToken });
    expect(rotated.status).toBe(200);
    // Past the retry window is not needed: the successor was used, so the old token is reuse.
    await request(app.url)
      .post('/auth/refresh')
      .send({ refresh_token: rotated.body.refresh_token })
      .expect(200);
    const replay = await request(app.url)
      .post('/auth/refresh')
      .send({ refresh_token: first.refreshToken });
    expect(replay.status).toBe(401);
    expect(replay.body.code).toBe('refresh_reused');

    const reason = { reason: 'refresh_reused' };
    const after = await eventually(
      (t) =>
        sample(t, 'identity_revocations_pushed_total', reason) >
        sample(before, 'identity_revocations_pushed_total', reason),
    );
    const ok = { method: 'password', outcome: 'succeeded' };
    expect(sample(after, 'identity_sign_ins_total', ok)).toBe(
      sample(before, 'identity_sign_ins_total', ok) + 1,
    );
    expect(sample(after, 'identity_refresh_reuse_detections_total')).toBe(
      sample(before, 'identity_refresh_reuse_detections_total') + 1,
    );
    expect(sample(after, 'identity_session_revocations_total', reason)).toBe(
      sample(before, 'identity_session_revocations_total', reason) + 1,
    );
    expect(sample(after, 'identity_revocations_pushed_total', reason)).toBe(
      sample(before, 'identity_revocations_pushed_total', reason) + 1,
    );
  });

  it('counts a wrong MFA code as an MFA failure and a refused sign-in', async () => {
    const user = await users.create({ email: uniqueEmail('mfa') });
    const creds = { email: user.email, password: GOOD_PASSWORD };
    const session = await login(app.url, creds);
    const step = await steadyStep(clock);
    const { secret } = await enrol(app.url, session.accessToken, GOOD_PASSWORD, step);
    const before = await scrape();
    const wrong = await request(app.url)
      .post('/auth/mfa/verify')
      .send({ mfa_token: await passwordStep(app.url, creds), code: codeFor(secret, step - 40) });
    expect(wrong.status).toBe(401);
    const key = { method: 'password', outcome: 'mfa_invalid' };
    const after = await eventually(
      (t) =>
        sample(t, 'identity_mfa_failures_total') > sample(before, 'identity_mfa_failures_total'),
    );
    expect(sample(after, 'identity_mfa_failures_total')).toBe(
      sample(before, 'identity_mfa_failures_total') + 1,
    );
    expect(sample(after, 'identity_sign_ins_total', key)).toBe(
      sample(before, 'identity_sign_ins_total', key) + 1,
    );
  });

  it('exposes the backlog, readiness, hashing and gRPC metrics', async () => {
    const text = await scrape();
    expect(sample(text, 'identity_ready')).toBe(1);
    expect(text).toMatch(/^identity_outbox_oldest_due_age_seconds \d/m);
    expect(text).toMatch(/^identity_password_hash_queue_depth \d/m);
    expect(text).toContain('# TYPE identity_grpc_calls_total counter');
    expect(text).toContain('# TYPE webhook_deliveries_total counter');
  });

  it('every metric the alert rules and the dashboard name exists in a live scrape', async () => {
    const exposed = exposedNames(await scrape());
    const rules = parseYaml(readFileSync(join(MONITORING, 'identity-alerts.yml'), 'utf8')) as {
      groups: { name: string; rules: { alert: string; expr: string; labels: object }[] }[];
    };
    const exprs: string[] = [];
    expect(rules.groups.length).toBeGreaterThan(0);
    for (const group of rules.groups) {
      expect(group.rules.length).toBeGreaterThan(0);
      for (const rule of group.rules) {
        expect(rule).toEqual(
          expect.objectContaining({ alert: expect.any(String), expr: expect.any(String) }),
        );
        exprs.push(rule.expr);
      }
    }
    const dashboard = JSON.parse(
      readFileSync(join(MONITORING, 'identity-dashboard.json'), 'utf8'),
    ) as { panels: { targets: { expr: string }[] }[]; templating: { list: { query?: unknown }[] } };
    for (const panel of dashboard.panels) for (const t of panel.targets) exprs.push(t.expr);
    for (const v of dashboard.templating.list)
      if (typeof v.query === 'object' && v.query) exprs.push(JSON.stringify(v.query));

    const named = new Set(exprs.flatMap(metricNamesIn));
    // Guards against a parser that finds nothing, and pins the alerts the issue asks for.
    for (const must of [
      'identity_refresh_reuse_detections_total',
      'identity_login_lockouts_total',
      'identity_outbox_oldest_due_age_seconds',
      'identity_ready',
      'identity_password_hash_shed_total',
    ])
      expect(named).toContain(must);
    const missing = [...named].filter((n) => !exposed.has(n) && !PROMETHEUS_OWN.has(n));
    expect(missing).toEqual([]);
  });
});

describe('METRICS_PORT', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp({ label: 'metrics_port', env: { METRICS_PORT: '0' } });
  });
  afterAll(() => app.close());

  it('serves /metrics only on its own listener; the public port answers 404', async () => {
    const metricsUrl = app.running.metricsUrl;
    expect(metricsUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(metricsUrl).not.toBe(app.url);
    const publicScrape = await request(app.url).get('/metrics');
    expect(publicScrape.status).toBe(404);
    expect(publicScrape.text).not.toContain('identity_sign_ins_total');
    const res = await request(metricsUrl!).get('/metrics');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain/);
    expect(res.text).toContain('# TYPE identity_sign_ins_total counter');
    expect(res.text).toContain('# TYPE http_request_duration_seconds histogram');
    await request(metricsUrl!).get('/healthz').expect(404);
    await request(metricsUrl!).get('/auth/me').expect(404);
  });
});
