import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { loadPackageDefinition, type ServiceClientConstructor } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';

/** The loader options of the app's gRPC server (`apps/identity/src/grpc/grpc-options.ts`). */
const LOADER_OPTIONS = {
  keepCase: true,
  longs: Number,
  enums: String,
  defaults: true,
  oneofs: true,
};

/** `proto/` beside the compiled bench (`dist/proto`) or in the working directory. */
function protoRoot(): string {
  for (const candidate of [join(__dirname, '../../proto'), join(process.cwd(), 'proto')]) {
    if (existsSync(join(candidate, 'identity/v1/identity.proto'))) return candidate;
  }
  throw new Error('proto/identity/v1/identity.proto not found');
}

/** `identity.v1.IdentityService` as a grpc-js client constructor (its `.service` for servers). */
export function identityService(): ServiceClientConstructor {
  const root = protoRoot();
  const definition = loadSync(join(root, 'identity/v1/identity.proto'), {
    ...LOADER_OPTIONS,
    includeDirs: [root],
  });
  const loaded = loadPackageDefinition(definition) as unknown as {
    identity: { v1: { IdentityService: ServiceClientConstructor } };
  };
  return loaded.identity.v1.IdentityService;
}

/** The fields of `VerifyTokenResponse` the bench reads. */
export interface VerifyTokenReply {
  active: boolean;
  user_id: string;
  reason: string;
  permissions: string[];
}
