/**
 * Attack: something on the internal network (or beyond it) calls the gRPC port to verify
 * stolen tokens or map users' permissions. With `GRPC_TLS_CERT`/`GRPC_TLS_KEY` the port speaks
 * TLS only; with `GRPC_TLS_CLIENT_CA` too, only clients holding a certificate signed by that
 * CA get through: no certificate, or one from another CA, is refused at the handshake.
 * Certificates are made here with the `openssl` CLI, in a temporary directory.
 */
import { credentials, status } from '@grpc/grpc-js';
import { startTestApp, type TestApp } from '../support/app';
import { GrpcTestClient } from './grpc.fixtures';
import { TestPki } from './tls.fixtures';

describe('gRPC over TLS and mutual TLS', () => {
  let pki: TestPki;
  beforeAll(() => {
    pki = new TestPki();
    pki.ca('ca');
    pki.ca('rogue-ca');
    pki.leaf('server', 'ca', 'DNS:localhost,IP:127.0.0.1');
    pki.leaf('client', 'ca', 'DNS:reporting.internal');
    pki.leaf('rogue-client', 'rogue-ca', 'DNS:intruder.internal');
  });
  afterAll(() => pki.remove());

  const clients: GrpcTestClient[] = [];
  afterEach(() => {
    for (const c of clients.splice(0)) c.close();
  });
  const client = (address: string, creds = credentials.createInsecure()) => {
    const c = new GrpcTestClient(address, creds);
    clients.push(c);
    return c;
  };
  const tlsCreds = (withCert?: 'client' | 'rogue-client') =>
    credentials.createSsl(
      pki.read('ca.crt'),
      withCert ? pki.read(`${withCert}.key`) : null,
      withCert ? pki.read(`${withCert}.crt`) : null,
    );

  describe('mutual TLS', () => {
    let app: TestApp;
    beforeAll(async () => {
      app = await startTestApp({
        label: 'grpc_mtls',
        env: {
          GRPC_TLS_CERT: pki.path('server.crt'),
          GRPC_TLS_KEY: pki.path('server.key'),
          GRPC_TLS_CLIENT_CA: pki.path('ca.crt'),
        },
      });
    });
    afterAll(() => app.close());

    it('serves a client with a certificate signed by the configured CA', async () => {
      const ok = client(app.grpcAddress, tlsCreds('client'));
      expect(await ok.healthCheck('identity.v1.IdentityService')).toEqual({ status: 'SERVING' });
      expect(await ok.verifyToken('not-a-jwt')).toMatchObject({
        active: false,
        reason: 'malformed',
      });
    });

    it('refuses a client without a certificate', async () => {
      await expect(client(app.grpcAddress, tlsCreds()).verifyToken('x')).rejects.toMatchObject({
        code: status.UNAVAILABLE,
      });
    });

    it('refuses a client whose certificate another CA signed', async () => {
      await expect(
        client(app.grpcAddress, tlsCreds('rogue-client')).verifyToken('x'),
      ).rejects.toMatchObject({ code: status.UNAVAILABLE });
    });

    it('refuses plaintext', async () => {
      await expect(client(app.grpcAddress).healthCheck()).rejects.toMatchObject({
        code: status.UNAVAILABLE,
      });
    });
  });

  describe('TLS without client certificates', () => {
    let app: TestApp;
    beforeAll(async () => {
      app = await startTestApp({
        label: 'grpc_tls',
        env: { GRPC_TLS_CERT: pki.path('server.crt'), GRPC_TLS_KEY: pki.path('server.key') },
      });
    });
    afterAll(() => app.close());

    it('serves TLS clients and refuses plaintext', async () => {
      expect(await client(app.grpcAddress, tlsCreds()).healthCheck()).toEqual({
        status: 'SERVING',
      });
      await expect(client(app.grpcAddress).healthCheck()).rejects.toMatchObject({
        code: status.UNAVAILABLE,
      });
    });
  });
});
