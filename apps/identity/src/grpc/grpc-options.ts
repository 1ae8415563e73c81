import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ServerCredentials, type ServerOptions } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { ReflectionService } from '@grpc/reflection';
import { type GrpcOptions, Transport } from '@nestjs/microservices';
import { HealthImplementation, protoPath as healthProtoPath } from 'grpc-health-check';
import type { AppConfig } from '@identity/config';
import { clientAllowListInterceptor } from './client-allow-list.interceptor';
import type { GrpcMetrics } from './grpc-metrics';
import { PROTO_LOADER_OPTIONS, protoRoot } from './proto-files';

/** TLS from PEM files: cert+key turn TLS on; a client CA also demands client certificates (mTLS). */
export function grpcCredentials(config: AppConfig): ServerCredentials {
  const tls = config.grpc.tls;
  if (!tls) return ServerCredentials.createInsecure();
  return ServerCredentials.createSsl(
    tls.clientCaPath ? readFileSync(tls.clientCaPath) : null,
    [{ private_key: readFileSync(tls.keyPath), cert_chain: readFileSync(tls.certPath) }],
    Boolean(tls.clientCaPath),
  );
}

/**
 * Server-wide options: the call metrics (outermost, so refused calls count too) and the client
 * allow-list of mutual TLS, when configured.
 */
function serverOptions(config: AppConfig, metrics?: GrpcMetrics): ServerOptions {
  const allowed = config.grpc.tls?.clientCaPath ? config.grpc.tls.allowedClients : [];
  const interceptors = [
    ...(metrics ? [metrics.interceptor] : []),
    ...(allowed.length > 0 ? [clientAllowListInterceptor(allowed)] : []),
  ];
  return interceptors.length > 0 ? { interceptors } : {};
}

/**
 * The gRPC server of the same process: `identity.v1.IdentityService`, plus the standard
 * `grpc.health.v1.Health` and server reflection (for grpcurl and friends).
 */
export function grpcOptions(
  config: AppConfig,
  health: HealthImplementation,
  metrics?: GrpcMetrics,
): GrpcOptions {
  const root = protoRoot();
  const protoPath = join(root, 'identity/v1/identity.proto');
  return {
    transport: Transport.GRPC,
    options: {
      package: 'identity.v1',
      protoPath,
      url: `${config.grpc.host}:${config.grpc.port}`,
      loader: { ...PROTO_LOADER_OPTIONS, includeDirs: [root] },
      credentials: grpcCredentials(config),
      channelOptions: serverOptions(config, metrics),
      onLoadPackageDefinition: (_pkg: unknown, server: unknown) => {
        const grpcServer = server as Parameters<HealthImplementation['addToServer']>[0];
        health.addToServer(grpcServer);
        // Reflection describes both our service and the health service.
        const definition = loadSync([protoPath, healthProtoPath], PROTO_LOADER_OPTIONS);
        new ReflectionService(definition).addToServer(grpcServer);
      },
    },
  };
}

/** Health statuses of this process: '' (overall) and the IdentityService. */
export function createGrpcHealth(): HealthImplementation {
  return new HealthImplementation({
    '': 'NOT_SERVING',
    'identity.v1.IdentityService': 'NOT_SERVING',
  });
}
