import {
  type sendUnaryData,
  Server,
  ServerCredentials,
  type ServerUnaryCall,
  status,
} from '@grpc/grpc-js';
import { identityService, type VerifyTokenReply } from '../lib/identity-proto';
import { type TokenCheck, tokenVerifier } from './jose-loop.role';
import type { ChildFactory } from './main';

/** `echo`: answer at once; `jose`: verify the token with jose first (no denylist, no roles). */
export interface BareGrpcArgs {
  mode: 'echo' | 'jose';
  check?: Omit<TokenCheck, 'token'>;
}

type Call = ServerUnaryCall<{ token: string }, VerifyTokenReply>;

/**
 * Ceilings of `verify`: a bare grpc-js server with the app's `IdentityService` contract and
 * nothing else, answering VerifyToken either as an echo or after a jose verify.
 */
export const startBareGrpc: ChildFactory = async (raw) => {
  const args = raw as BareGrpcArgs;
  const verify = args.mode === 'jose' && args.check ? await tokenVerifier(args.check) : undefined;
  const server = new Server();
  server.addService(identityService().service, {
    VerifyToken: (call: Call, callback: sendUnaryData<VerifyTokenReply>) => {
      if (!verify) {
        callback(null, { active: true, user_id: 'echo', reason: '', permissions: [] });
        return;
      }
      verify(call.request.token).then(
        ({ payload }) =>
          callback(null, { active: true, user_id: payload.sub ?? '', reason: '', permissions: [] }),
        () => callback(null, { active: false, user_id: '', reason: 'invalid', permissions: [] }),
      );
    },
    GetUserPermissions: (_call: unknown, callback: sendUnaryData<never>) =>
      callback({ code: status.UNIMPLEMENTED }),
  });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (err, bound) =>
      err ? reject(err) : resolve(bound),
    ),
  );
  return {
    info: { address: `127.0.0.1:${port}` },
    commands: {},
    close: () =>
      new Promise<void>((resolve) => {
        server.tryShutdown(() => resolve());
      }),
  };
};
