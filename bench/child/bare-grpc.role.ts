import {
  type sendUnaryData,
  Server,
  ServerCredentials,
  type ServerUnaryCall,
  status,
} from '@grpc/grpc-js';
import type { VerificationKeyInfo } from '../grpc-verify';
import { identityService, type VerifyTokenReply } from '../lib/identity-proto';
import type { ChildFactory, ChildService } from './main';

/** `echo`: answer at once; `jose`: `grpc-verify.ts`'s bare verifier (jose, nothing else). */
export interface BareGrpcArgs {
  mode: 'echo' | 'jose';
  key: VerificationKeyInfo;
}

/**
 * Ceilings of `verify`: a bare grpc-js server with the app's `IdentityService` contract,
 * answering VerifyToken either at once or after only the jose verify, in a process of its
 * own so its CPU and RSS are its own.
 */
export const startBareGrpc: ChildFactory = async (raw) => {
  const args = raw as BareGrpcArgs;
  const server = args.mode === 'jose' ? await startJose(args.key) : await startEcho();
  return { info: { address: server.address }, commands: {}, close: () => server.close() };
};

/** `grpc-verify.ts`'s bare verifier, loaded only here: it brings the app's modules along. */
async function startJose(key: VerificationKeyInfo) {
  const { startBareVerifier } = await import('../grpc-verify');
  const { jwk, alg, issuer, audience } = key;
  return startBareVerifier({ jwk, alg, issuer, audience });
}

type Call = ServerUnaryCall<{ token: string }, VerifyTokenReply>;

async function startEcho(): Promise<{ address: string; close: ChildService['close'] }> {
  const server = new Server();
  server.addService(identityService().service, {
    VerifyToken: (_call: Call, callback: sendUnaryData<VerifyTokenReply>) =>
      callback(null, { active: true, user_id: 'echo', reason: '', permissions: [] }),
    GetUserPermissions: (_call: unknown, callback: sendUnaryData<never>) =>
      callback({ code: status.UNIMPLEMENTED }),
  });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (err, bound) =>
      err ? reject(err) : resolve(bound),
    ),
  );
  return {
    address: `127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => server.tryShutdown(() => resolve())),
  };
}
