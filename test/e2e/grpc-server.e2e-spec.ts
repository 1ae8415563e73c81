/**
 * The gRPC face, as internal services and operators meet it: the standard health service
 * reports SERVING, and server reflection lists the identity service (grpcurl works).
 */
import { credentials, loadPackageDefinition, type ServiceClientConstructor } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { protoPath as healthProto } from 'grpc-health-check';
import { join } from 'node:path';
import { startTestApp, type TestApp } from '../support/app';

type Ctor = ServiceClientConstructor;
const pick = (pkg: unknown, path: string): Ctor =>
  path.split('.').reduce((o, k) => (o as Record<string, unknown>)[k], pkg) as Ctor;

describe('gRPC server', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp({ label: 'grpc_server' });
  });
  afterAll(() => app.close());

  it('reports SERVING through grpc.health.v1', async () => {
    const Health = pick(
      loadPackageDefinition(loadSync(healthProto, { enums: String })),
      'grpc.health.v1.Health',
    );
    const client = new Health(app.grpcAddress, credentials.createInsecure());
    const check = (service: string) =>
      new Promise<{ status: string }>((resolve, reject) =>
        client.check!({ service }, (err: Error | null, res: { status: string }) =>
          err ? reject(err) : resolve(res),
        ),
      );
    try {
      expect(await check('')).toEqual({ status: 'SERVING' });
      expect(await check('identity.v1.IdentityService')).toEqual({ status: 'SERVING' });
      await expect(check('no.such.Service')).rejects.toMatchObject({ code: 5 });
    } finally {
      client.close();
    }
  });

  it('lists its services through server reflection', async () => {
    const proto = join(
      require.resolve('@grpc/reflection/package.json'),
      '../build/proto/grpc/reflection/v1alpha/reflection.proto',
    );
    const Reflection = pick(
      loadPackageDefinition(loadSync(proto, { keepCase: true })),
      'grpc.reflection.v1alpha.ServerReflection',
    );
    const client = new Reflection(app.grpcAddress, credentials.createInsecure());
    try {
      const services = await new Promise<string[]>((resolve, reject) => {
        const call = client.ServerReflectionInfo!();
        call.on('data', (msg: { list_services_response?: { service: { name: string }[] } }) => {
          resolve((msg.list_services_response?.service ?? []).map((s) => s.name));
          call.end();
        });
        call.on('error', reject);
        call.write({ list_services: '*' });
      });
      expect(services).toEqual(
        expect.arrayContaining(['identity.v1.IdentityService', 'grpc.health.v1.Health']),
      );
    } finally {
      client.close();
    }
  });
});
