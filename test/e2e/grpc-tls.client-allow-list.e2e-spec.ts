/**
 * Attacks on the internal gRPC hop.
 * 1. A workload that holds a certificate from the internal client CA (issued for something
 *    else: a batch job, a sidecar, a compromised pod) calls VerifyToken or GetUserPermissions.
 *    Mutual TLS alone lets any such certificate in; `GRPC_TLS_ALLOWED_CLIENTS` names the
 *    services (certificate CN or SAN DNS name) that may call, and every other certificate is
 *    refused with PERMISSION_DENIED before any handler runs, on every service of the port.
 * 2. Something on the path (ARP/DNS spoofing, a rogue pod behind the service name) answers the
 *    reporting service's VerifyToken itself with `active: true` and every permission for any
 *    token (or would feed its SDK a revocation stream that hides revocations). The reporting
 *    demo configured with the identity service's CA only talks to a
 *    server holding a certificate of that CA for the expected name: a plaintext impostor or
 *    one with a certificate of another CA gets no call, and the demo fails closed (503).
 *    The same impostor is accepted by a demo without TLS: the control that shows it works.
 * Last, the PKI that docker-compose.yml makes (docker/grpc-certs.sh) is run for real and the
 * demo reaches the app with it as compose wires them (server name `identity`, allow-list
 * `reporting`).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import {
  credentials,
  loadPackageDefinition,
  Server,
  ServerCredentials,
  type ServiceClientConstructor,
  type sendUnaryData,
  status,
} from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import request from 'supertest';
import { login, MailCatcher, registerVerified } from '@identity/testing';
import { PROTO_LOADER_OPTIONS, protoRoot } from '../../apps/identity/src/grpc/proto-files';
import type { ReportingIdentitySettings } from '../../apps/reporting-demo/src/reporting.config';
import { startReportingApp } from '../../apps/reporting-demo/src/reporting-app';
import { startTestApp, type TestApp } from '../support/app';
import { GrpcTestClient } from './grpc.fixtures';
import { TestPki } from './tls.fixtures';

/** An impostor IdentityService: every token is active and may do everything. */
async function startImpostor(
  creds: ServerCredentials,
): Promise<{ address: string; server: Server }> {
  const root = protoRoot();
  const pkg = loadPackageDefinition(
    loadSync(join(root, 'identity/v1/identity.proto'), {
      ...PROTO_LOADER_OPTIONS,
      includeDirs: [root],
    }),
  ) as unknown as { identity: { v1: { IdentityService: ServiceClientConstructor } } };
  const server = new Server();
  server.addService(pkg.identity.v1.IdentityService.service, {
    VerifyToken: (_call: unknown, reply: sendUnaryData<object>) =>
      reply(null, {
        active: true,
        user_id: 'forged-user',
        session_id: 'forged-session',
        roles: ['admin'],
        permissions: ['reports:generate', 'identity:admin'],
        expires_at: Math.floor(Date.now() / 1000) + 3600,
        reason: '',
        mfa: true,
        jti: 'forged',
      }),
  });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', creds, (err, p) => (err ? reject(err) : resolve(p))),
  );
  return { address: `127.0.0.1:${port}`, server };
}

describe('gRPC mutual TLS with a client allow-list', () => {
  let pki: TestPki;
  const mail = new MailCatcher();
  let app: TestApp;
  let accessToken: string;
  const clients: GrpcTestClient[] = [];
  const demos: INestApplication[] = [];

  beforeAll(async () => {
    pki = new TestPki();
    pki.ca('ca');
    pki.ca('rogue-ca');
    pki.leaf('server', 'ca', 'DNS:localhost,IP:127.0.0.1');
    pki.leaf('reporting', 'ca', 'DNS:reporting.internal'); // allowed by SAN
    pki.leaf('audit', 'ca', 'DNS:audit-7.pods.internal'); // allowed by CN `audit`
    pki.leaf('billing', 'ca', 'DNS:billing.internal'); // same CA, not on the list
    pki.leaf('impostor', 'rogue-ca', 'DNS:localhost,IP:127.0.0.1');
    const smtp = await mail.start();
    app = await startTestApp({
      label: 'grpc_allow_list',
      env: {
        SMTP_URL: `smtp://127.0.0.1:${smtp}`,
        GRPC_TLS_CERT: pki.path('server.crt'),
        GRPC_TLS_KEY: pki.path('server.key'),
        GRPC_TLS_CLIENT_CA: pki.path('ca.crt'),
        GRPC_TLS_ALLOWED_CLIENTS: 'Reporting.Internal, audit',
      },
    });
    accessToken = (await login(app.url, await registerVerified(app.url, mail))).accessToken;
  });
  afterAll(async () => {
    for (const c of clients) c.close();
    for (const d of demos) await d.close();
    await app?.close();
    await mail.stop();
    pki?.remove();
  });

  const client = (cert: 'reporting' | 'audit' | 'billing') => {
    const c = new GrpcTestClient(
      app.grpcAddress,
      credentials.createSsl(pki.read('ca.crt'), pki.read(`${cert}.key`), pki.read(`${cert}.crt`)),
    );
    clients.push(c);
    return c;
  };

  /** The demo's SDK reaches `identity.address` over gRPC, and the real app for its JWKS. */
  const demo = async (identity: Omit<ReportingIdentitySettings, 'jwksUrl' | 'issuer'>) => {
    const d = await startReportingApp({
      identity: {
        deadlineMs: 1_000,
        jwksUrl: `${app.url}/.well-known/jwks.json`,
        issuer: app.config.jwt.issuer,
        ...identity,
      },
      port: 0,
      host: '127.0.0.1',
      logger: false,
    });
    demos.push(d.app);
    return (token: string) =>
      request(d.url).post('/reports').set('Authorization', `Bearer ${token}`);
  };

  it('accepts a certificate on the list by its SAN DNS name or its CN', async () => {
    for (const cert of ['reporting', 'audit'] as const) {
      const c = client(cert);
      await expect(c.verifyToken(accessToken)).resolves.toMatchObject({ active: true });
      await expect(c.healthCheck()).resolves.toEqual({ status: 'SERVING' });
    }
  });

  it('refuses a certificate of the same CA that is not on the list, on every service', async () => {
    const c = client('billing');
    await expect(c.verifyToken(accessToken)).rejects.toMatchObject({
      code: status.PERMISSION_DENIED,
    });
    await expect(
      c.getUserPermissions('00000000-0000-4000-8000-000000000000'),
    ).rejects.toMatchObject({ code: status.PERMISSION_DENIED });
    await expect(c.healthCheck()).rejects.toMatchObject({ code: status.PERMISSION_DENIED });
  });

  it('serves the reporting demo over mutual TLS with its allowed certificate, not with another', async () => {
    const tls = (cert: string) => ({
      caPath: pki.path('ca.crt'),
      certPath: pki.path(`${cert}.crt`),
      keyPath: pki.path(`${cert}.key`),
    });
    // Verified by the identity service: active, but without reports:generate.
    const allowed = await demo({ address: app.grpcAddress, tls: tls('reporting') });
    expect((await allowed(accessToken)).status).toBe(403);
    const refused = await demo({ address: app.grpcAddress, tls: tls('billing') });
    expect((await refused(accessToken)).status).toBe(503);
  });

  it('the demo with TLS refuses an impostor, plaintext or with another CA; without TLS it is fooled', async () => {
    const plaintext = await startImpostor(ServerCredentials.createInsecure());
    const rogue = await startImpostor(
      ServerCredentials.createSsl(null, [
        { private_key: pki.read('impostor.key'), cert_chain: pki.read('impostor.crt') },
      ]),
    );
    try {
      const caOnly = { caPath: pki.path('ca.crt') };
      const viaPlaintext = await demo({ address: plaintext.address, tls: caOnly });
      expect((await viaPlaintext('any-token-at-all')).status).toBe(503);
      const viaRogue = await demo({ address: rogue.address, tls: caOnly });
      expect((await viaRogue('any-token-at-all')).status).toBe(503);

      // Control: the impostor works on a client that does not check who answers.
      const fooled = await demo({ address: plaintext.address });
      const forged = await fooled('any-token-at-all');
      expect(forged.status).toBe(200);
      expect(forged.body.requested_by).toBe('forged-user');
    } finally {
      plaintext.server.forceShutdown();
      rogue.server.forceShutdown();
    }
  });
});

describe('the docker-compose gRPC PKI (docker/grpc-certs.sh)', () => {
  let dir: string;
  const mail = new MailCatcher();
  let app: TestApp;
  let demo: { app: INestApplication; url: string } | undefined;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'compose-pki-'));
    execFileSync('sh', [join(__dirname, '../../docker/grpc-certs.sh')], {
      env: { PATH: process.env.PATH, PKI_DIR: dir, APP_UID: String(process.getuid?.() ?? 0) },
      stdio: 'pipe',
    });
    const smtp = await mail.start();
    app = await startTestApp({
      label: 'compose_pki',
      env: {
        SMTP_URL: `smtp://127.0.0.1:${smtp}`,
        GRPC_TLS_CERT: join(dir, 'identity/server.crt'),
        GRPC_TLS_KEY: join(dir, 'identity/server.key'),
        GRPC_TLS_CLIENT_CA: join(dir, 'identity/ca.crt'),
        GRPC_TLS_ALLOWED_CLIENTS: 'reporting',
      },
    });
  });
  afterAll(async () => {
    await demo?.app.close();
    await app?.close();
    await mail.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('lets the reporting demo verify tokens over mutual TLS, checking the name `identity`', async () => {
    const { accessToken } = await login(app.url, await registerVerified(app.url, mail));
    const jwks = { jwksUrl: `${app.url}/.well-known/jwks.json`, issuer: app.config.jwt.issuer };
    demo = await startReportingApp({
      identity: {
        ...jwks,
        address: app.grpcAddress,
        tls: {
          caPath: join(dir, 'reporting/ca.crt'),
          certPath: join(dir, 'reporting/client.crt'),
          keyPath: join(dir, 'reporting/client.key'),
          serverName: 'identity',
        },
      },
      port: 0,
      host: '127.0.0.1',
      logger: false,
    });
    // Active (verified by the identity service) but without reports:generate.
    const res = await request(demo.url)
      .post('/reports')
      .set('Authorization', `Bearer ${accessToken}`);
    expect(res.status).toBe(403);

    // The name is checked: a certificate that is not for the expected name is refused.
    const wrongName = await startReportingApp({
      identity: {
        ...jwks,
        address: app.grpcAddress,
        deadlineMs: 1_000,
        tls: {
          caPath: join(dir, 'reporting/ca.crt'),
          certPath: join(dir, 'reporting/client.crt'),
          keyPath: join(dir, 'reporting/client.key'),
          serverName: 'billing',
        },
      },
      port: 0,
      host: '127.0.0.1',
      logger: false,
    });
    try {
      const refused = await request(wrongName.url)
        .post('/reports')
        .set('Authorization', `Bearer ${accessToken}`);
      expect(refused.status).toBe(503);
    } finally {
      await wrongName.app.close();
    }
  });
});
