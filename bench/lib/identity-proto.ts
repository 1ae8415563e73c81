import { join } from 'node:path';
import { loadPackageDefinition, type ServiceClientConstructor } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { PROTO_LOADER_OPTIONS, protoRoot } from '../../apps/identity/src/grpc/proto-files';

/** `identity.v1.IdentityService` as a grpc-js client constructor (its `.service` for servers). */
export function identityService(): ServiceClientConstructor {
  const root = protoRoot();
  const definition = loadSync(join(root, 'identity/v1/identity.proto'), {
    ...PROTO_LOADER_OPTIONS,
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
