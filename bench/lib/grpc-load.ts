import {
  type CallOptions,
  type Client,
  type ClientUnaryCall,
  credentials,
  type ServiceError,
} from '@grpc/grpc-js';
import { closedLoop } from './closed-loop';
import type { LoadResult } from './http-load';
import { identityService, type VerifyTokenReply } from './identity-proto';

interface IdentityClient extends Client {
  VerifyToken(
    request: { token: string; audience: string },
    options: CallOptions,
    callback: (err: ServiceError | null, reply?: VerifyTokenReply) => void,
  ): ClientUnaryCall;
}

export interface VerifyLoadOptions {
  address: string;
  /** Calls in flight, spread over the pool's channels. */
  inFlight: number;
  /** Channels (HTTP/2 connections) in the client pool. */
  channels: number;
  durationS: number;
  /** Tokens to verify, round robin; each must come back active. */
  tokens: readonly string[];
}

/**
 * Closed-loop VerifyToken load from a grpc-js client pool: `inFlight` outstanding calls over
 * `channels` connections (each client gets its own subchannel), a 5 s deadline per call.
 * An inactive verdict counts as an error: every token the bench sends is valid.
 */
export async function verifyTokenLoad(options: VerifyLoadOptions): Promise<LoadResult> {
  const Service = identityService();
  const clients = Array.from(
    { length: options.channels },
    () =>
      new Service(options.address, credentials.createInsecure(), {
        'grpc.use_local_subchannel_pool': 1,
      }) as unknown as IdentityClient,
  );
  try {
    await Promise.all(clients.map((c) => waitReady(c)));
    const errorKinds: Record<string, number> = {};
    const result = await closedLoop({
      concurrency: options.inFlight,
      durationMs: options.durationS * 1000,
      op: (i) =>
        new Promise<void>((resolve, reject) => {
          const client = clients[i % clients.length]!;
          const token = options.tokens[i % options.tokens.length] ?? '';
          client.VerifyToken(
            { token, audience: '' },
            { deadline: Date.now() + 5_000 },
            (err, reply) => {
              const kind = err ? `grpc_${err.code}` : reply?.active ? null : reply?.reason;
              if (kind === null) return resolve();
              errorKinds[kind ?? 'empty'] = (errorKinds[kind ?? 'empty'] ?? 0) + 1;
              reject(new Error(err?.message ?? `inactive: ${reply?.reason ?? '?'}`));
            },
          );
        }),
    });
    return {
      throughput: result.opsPerSecond,
      ok: result.ops,
      errors: result.errors,
      errorKinds,
      seconds: result.seconds,
      latency: result.latency,
    };
  } finally {
    for (const c of clients) c.close();
  }
}

function waitReady(client: Client): Promise<void> {
  return new Promise((resolve, reject) =>
    client.waitForReady(Date.now() + 10_000, (err) => (err ? reject(err) : resolve())),
  );
}
