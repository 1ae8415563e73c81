/**
 * Traces must show where a sign-in spends its time (HTTP, Postgres, Redis, the outbox) and
 * join the caller's trace (W3C `traceparent`), and must not become a second copy of what
 * the logs are careful not to hold: a span attribute with an email, a password, a token, a
 * query string, the client's address or user agent would leak them to every system the
 * collector feeds. The app runs as a real process (OpenTelemetry hooks `require`, so it must
 * start before the app is loaded, as main.ts does) and exports to a local OTLP/HTTP receiver.
 */
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createTestDatabase,
  freePort,
  MailCatcher,
  registerVerified,
  type TestDatabase,
  uniqueKvPrefix,
} from '@identity/testing';
import { spawnIdentity, waitForHttp, type IdentityProcess } from '../support/process';
import { GrpcTestClient } from './grpc.fixtures';

interface OtlpValue {
  stringValue?: string;
  intValue?: string | number;
  boolValue?: boolean;
  doubleValue?: number;
  arrayValue?: { values?: OtlpValue[] };
}
interface OtlpAttribute {
  key: string;
  value: OtlpValue;
}
interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  attributes?: OtlpAttribute[];
  events?: { name: string; attributes?: OtlpAttribute[] }[];
  status?: { message?: string };
}
interface ExportRequest {
  resourceSpans?: { scopeSpans?: { scope?: { name: string }; spans?: OtlpSpan[] }[] }[];
}
type ReceivedSpan = OtlpSpan & { scope: string };

/** A local OTLP/HTTP (JSON) collector: keeps every span it is sent. */
class OtlpReceiver {
  readonly spans: ReceivedSpan[] = [];
  readonly contentTypes = new Set<string>();
  private server: Server | undefined;

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        if (req.url === '/v1/traces') {
          this.contentTypes.add(String(req.headers['content-type']));
          const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as ExportRequest;
          for (const rs of body.resourceSpans ?? [])
            for (const ss of rs.scopeSpans ?? [])
              for (const span of ss.spans ?? [])
                this.spans.push({ ...span, scope: ss.scope?.name ?? '' });
        }
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
    });
    const server = this.server;
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  stop(): Promise<void> {
    return new Promise((r) => (this.server ? this.server.close(() => r()) : r()));
  }
}

function flatValues(v: OtlpValue): string[] {
  if (v.arrayValue) return (v.arrayValue.values ?? []).flatMap(flatValues);
  const s = v.stringValue ?? v.intValue ?? v.boolValue ?? v.doubleValue;
  return s === undefined ? [] : [String(s)];
}

/** Every attribute value of a span and its events, and its status message, as strings. */
function everyValue(span: OtlpSpan): string[] {
  const attrs = [
    ...(span.attributes ?? []),
    ...(span.events ?? []).flatMap((e) => e.attributes ?? []),
  ];
  return [...attrs.flatMap((a) => flatValues(a.value)), span.status?.message ?? ''];
}

/** POST /auth/login from 127.0.0.2 (so the client's address differs from every server's). */
function loginFrom(
  base: string,
  body: object,
  headers: Record<string, string>,
): Promise<{ status: number; json: Record<string, unknown> }> {
  const url = new URL('/auth/login?probe=query-secret-77', base);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      url,
      {
        method: 'POST',
        localAddress: '127.0.0.2',
        headers: { 'content-type': 'application/json', ...headers },
      },
      (res) => {
        let text = '';
        res.on('data', (c: Buffer) => (text += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, json: JSON.parse(text) }));
      },
    );
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}

async function until<T>(what: string, probe: () => T | undefined, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = probe();
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('OpenTelemetry tracing to an OTLP collector', () => {
  let db: TestDatabase;
  const receiver = new OtlpReceiver();
  const mail = new MailCatcher();
  let app: IdentityProcess;
  let base: string;
  let grpcAddress: string;

  beforeAll(async () => {
    db = await createTestDatabase('tracing_otlp');
    const [collector, smtpPort, port] = await Promise.all([
      receiver.start(),
      mail.start(),
      freePort(),
    ]);
    const grpcPort = await freePort();
    grpcAddress = `127.0.0.1:${grpcPort}`;
    app = spawnIdentity({
      NODE_ENV: 'test',
      HOST: '127.0.0.1',
      PORT: String(port),
      GRPC_PORT: String(grpcPort),
      DATABASE_URL: db.url,
      DATABASE_MIGRATIONS_RUN: 'false',
      REDIS_URL: 'redis://127.0.0.1:6379',
      REDIS_KEY_PREFIX: uniqueKvPrefix('tracing'),
      SMTP_URL: `smtp://127.0.0.1:${smtpPort}`,
      ARGON2_MEMORY_KIB: '1024',
      ARGON2_TIME_COST: '1',
      OUTBOX_POLL_INTERVAL_MS: '100',
      LOG_LEVEL: 'info',
      OTEL_EXPORTER_OTLP_ENDPOINT: collector,
      OTEL_SERVICE_NAME: 'identity-under-test',
      // Export within a fraction of a second instead of the default 5 s.
      OTEL_BSP_SCHEDULE_DELAY: '100',
    });
    base = `http://127.0.0.1:${port}`;
    await waitForHttp(`${base}/healthz`, app);
  });

  afterAll(async () => {
    if (app.child.exitCode === null) app.child.kill('SIGKILL');
    await receiver.stop();
    await mail.stop();
    await db.drop();
  });

  it('a sign-in joins the caller trace with HTTP, Postgres and Redis spans, a token check makes a gRPC span, none holds personal data', async () => {
    const creds = await registerVerified(base, mail);
    const traceId = randomBytes(16).toString('hex');
    const parentId = randomBytes(8).toString('hex');
    const userAgent = 'TraceProbe/1.0 (agent-secret-42)';
    const res = await loginFrom(base, creds, {
      traceparent: `00-${traceId}-${parentId}-01`,
      'user-agent': userAgent,
    });
    expect(res.status).toBe(200);
    const accessToken = String(res.json.access_token);
    const refreshToken = String(res.json.refresh_token);

    const inTrace = () => receiver.spans.filter((s) => s.traceId === traceId);
    const scopes = () => new Set(inTrace().map((s) => s.scope));
    await until('http, pg and ioredis spans of the sign-in', () => {
      const s = scopes();
      return [
        '@opentelemetry/instrumentation-http',
        '@opentelemetry/instrumentation-pg',
        '@opentelemetry/instrumentation-ioredis',
      ].every((n) => s.has(n))
        ? true
        : undefined;
    });
    expect(receiver.contentTypes).toEqual(new Set(['application/json']));

    // The server span continues the caller's span.
    const server = inTrace().find(
      (s) => s.scope === '@opentelemetry/instrumentation-http' && s.kind === 2,
    );
    expect(server?.parentSpanId).toBe(parentId);

    // Redis spans name the command, never its arguments (keys are keyed hashes of the email).
    const redis = inTrace().filter((s) => s.scope === '@opentelemetry/instrumentation-ioredis');
    const statements = redis.flatMap((span) =>
      (span.attributes ?? [])
        .filter((a) => a.key === 'db.statement' || a.key === 'db.query.text')
        .flatMap((a) => flatValues(a.value)),
    );
    expect(statements.length).toBeGreaterThan(0);
    expect(statements.filter((s) => !/^[a-z]+$/i.test(s))).toEqual([]);

    // A service verifying the token over gRPC: its call is traced too.
    const grpc = new GrpcTestClient(grpcAddress);
    try {
      expect((await grpc.verifyToken(accessToken)).active).toBe(true);
    } finally {
      grpc.close();
    }
    await until('the gRPC server span', () =>
      receiver.spans.find(
        (s) =>
          s.scope === '@opentelemetry/instrumentation-grpc' &&
          s.kind === 2 &&
          s.name.includes('VerifyToken'),
      ),
    );

    const secrets = [
      creds.email,
      creds.email.split('@')[0]!,
      creds.password,
      accessToken,
      refreshToken,
      '127.0.0.2',
      userAgent,
      'agent-secret-42',
      'query-secret-77',
    ];
    const values = receiver.spans.flatMap(everyValue);
    expect(values.length).toBeGreaterThan(10);
    for (const secret of secrets) expect(values.filter((v) => v.includes(secret))).toEqual([]);

    // The request's log lines carry its trace id.
    await until('a log line with the trace id', () =>
      app
        .stdout()
        .split('\n')
        .some((line) => line.includes(`"trace_id":"${traceId}"`))
        ? true
        : undefined,
    );
  });

  it('the outbox worker traces each delivery (the verification mail)', async () => {
    const deliveries = await until('an outbox delivery span', () => {
      const found = receiver.spans.filter((s) => s.scope === 'identity.outbox');
      return found.some((s) => s.name === 'outbox deliver email') ? found : undefined;
    });
    const deliver = deliveries.find((s) => s.name === 'outbox deliver email')!;
    const batch = deliveries.find((s) => s.spanId === deliver.parentSpanId);
    expect(batch?.name).toBe('outbox batch');
    // The SQL that records the outcome runs inside the delivery's span.
    expect(
      receiver.spans.some(
        (s) => s.parentSpanId === deliver.spanId && s.scope === '@opentelemetry/instrumentation-pg',
      ),
    ).toBe(true);
  });

  it('flushes and exits 0 on SIGTERM', async () => {
    app.child.kill('SIGTERM');
    expect(await app.exited).toBe(0);
  });

  it('without OTEL_EXPORTER_OTLP_ENDPOINT no OpenTelemetry SDK or instrumentation is loaded', async () => {
    // A preload that reports, at exit, which @opentelemetry packages the process loaded.
    const dir = mkdtempSync(join(tmpdir(), 'otel-off-'));
    const preload = join(dir, 'report-otel.js');
    writeFileSync(
      preload,
      `process.on('exit', () => {
        const names = new Set();
        for (const p of Object.keys(require.cache)) {
          const m = /node_modules[\\/](@opentelemetry[\\/][^\\/]+)/.exec(p);
          if (m) names.add(m[1]);
        }
        process.stderr.write('OTEL_LOADED ' + JSON.stringify([...names]) + '\\n');
      });`,
    );
    const port = await freePort();
    const plain = spawnIdentity({
      NODE_ENV: 'test',
      HOST: '127.0.0.1',
      PORT: String(port),
      GRPC_PORT: String(await freePort()),
      DATABASE_URL: db.url,
      DATABASE_MIGRATIONS_RUN: 'false',
      LOG_LEVEL: 'warn',
      NODE_OPTIONS: `--require ${preload}`,
    });
    await waitForHttp(`http://127.0.0.1:${port}/healthz`, plain);
    plain.child.kill('SIGTERM');
    expect(await plain.exited).toBe(0);
    const line = /OTEL_LOADED (.*)/.exec(plain.stderr());
    expect(line).not.toBeNull();
    const loaded = JSON.parse(line![1]!) as string[];
    // The API alone (a no-op without an SDK) is what the logger and the outbox reach for; that
    // it shows proves the report sees what was loaded.
    expect(loaded).toContain('@opentelemetry/api');
    expect(loaded.filter((n) => n !== '@opentelemetry/api')).toEqual([]);
  });
});
