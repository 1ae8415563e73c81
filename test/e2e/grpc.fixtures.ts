/**
 * A raw grpc-js client of `identity.v1.IdentityService` and of `grpc.health.v1.Health`, as
 * any internal service would build one from the proto, for the gRPC suites.
 */
import { join } from 'node:path';
import {
  type ChannelCredentials,
  type ChannelOptions,
  type ClientReadableStream,
  credentials,
  loadPackageDefinition,
  Metadata,
  type ServiceClientConstructor,
  type ServiceError,
} from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { protoPath as healthProto } from 'grpc-health-check';
import type { RevocationEvent } from '../../apps/identity/src/grpc/identity.messages';
import { PROTO_LOADER_OPTIONS, protoRoot } from '../../apps/identity/src/grpc/proto-files';

const PROTO_ROOT = protoRoot();

export interface VerifyTokenReply {
  active: boolean;
  user_id: string;
  session_id: string;
  roles: string[];
  permissions: string[];
  expires_at: number;
  reason: string;
  mfa: boolean;
  jti: string;
}

export interface PermissionsReply {
  user_id: string;
  roles: string[];
  permissions: string[];
}

type Unary = (
  request: object,
  metadata: Metadata,
  options: { deadline: number },
  callback: (err: ServiceError | null, reply: never) => void,
) => void;

/** No test waits forever on a call. */
const DEADLINE_MS = 5_000;

function constructor(
  path: string,
  proto: string,
  includeDirs?: string[],
): ServiceClientConstructor {
  const pkg = loadPackageDefinition(loadSync(proto, { ...PROTO_LOADER_OPTIONS, includeDirs }));
  return path
    .split('.')
    .reduce<unknown>((o, k) => (o as Record<string, unknown>)[k], pkg) as ServiceClientConstructor;
}

const IdentityService = constructor(
  'identity.v1.IdentityService',
  join(PROTO_ROOT, 'identity/v1/identity.proto'),
  [PROTO_ROOT],
);
const Health = constructor('grpc.health.v1.Health', healthProto);

/** Promisified unary calls of both services on one address. */
export class GrpcTestClient {
  private readonly identity: InstanceType<ServiceClientConstructor>;
  private readonly health: InstanceType<ServiceClientConstructor>;

  constructor(
    address: string,
    creds: ChannelCredentials = credentials.createInsecure(),
    options: ChannelOptions = {},
  ) {
    this.identity = new IdentityService(address, creds, options);
    this.health = new Health(address, creds, options);
  }

  verifyToken(token: string, audience = ''): Promise<VerifyTokenReply> {
    return this.call(this.identity, 'VerifyToken', { token, audience });
  }

  getUserPermissions(userId: string): Promise<PermissionsReply> {
    return this.call(this.identity, 'GetUserPermissions', { user_id: userId });
  }

  /** Opens `WatchRevocations` and records what arrives (see {@link RevocationStream}). */
  watchRevocations(after = '', heartbeatMs = 0): RevocationStream {
    const open = (
      this.identity as unknown as Record<
        string,
        (r: object) => ClientReadableStream<RevocationEvent>
      >
    ).WatchRevocations!.bind(this.identity);
    return new RevocationStream(open({ after, heartbeat_ms: heartbeatMs }));
  }

  healthCheck(service = ''): Promise<{ status: string }> {
    return this.call(this.health, 'check', { service });
  }

  close(): void {
    this.identity.close();
    this.health.close();
  }

  private call<T>(
    client: InstanceType<ServiceClientConstructor>,
    method: string,
    request: object,
  ): Promise<T> {
    const fn = (client as unknown as Record<string, Unary>)[method]!.bind(client);
    return new Promise<T>((resolve, reject) => {
      fn(request, new Metadata(), { deadline: Date.now() + DEADLINE_MS }, (err, reply) =>
        err ? reject(err) : resolve(reply),
      );
    });
  }
}

/** A `WatchRevocations` call that records every message with its receipt time. */
export class RevocationStream {
  readonly received: (RevocationEvent & { receivedAt: number })[] = [];
  error: (Error & { code?: number }) | undefined;
  ended = false;
  private readonly waiters = new Set<() => void>();

  constructor(readonly call: ClientReadableStream<RevocationEvent>) {
    call.on('data', (event: RevocationEvent) => {
      this.received.push({ ...event, receivedAt: Date.now() });
      this.wake();
    });
    call.on('error', (err: Error & { code?: number }) => {
      this.error = err;
      this.wake();
    });
    call.on('end', () => {
      this.ended = true;
      this.wake();
    });
  }

  /** The events of one kind received so far. */
  of(kind: NonNullable<RevocationEvent['event']>): (RevocationEvent & { receivedAt: number })[] {
    return this.received.filter((e) => e.event === kind);
  }

  /** Resolves once `done()` holds (checked on every message), or rejects after `timeoutMs`. */
  until(done: () => boolean, timeoutMs = 5_000): Promise<void> {
    if (done()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.delete(check);
        reject(
          new Error(
            `stream: condition not met within ${timeoutMs} ms (${this.received.length} messages, error ${this.error?.message ?? 'none'})`,
          ),
        );
      }, timeoutMs);
      const check = () => {
        if (!done()) return;
        clearTimeout(timer);
        this.waiters.delete(check);
        resolve();
      };
      this.waiters.add(check);
    });
  }

  close(): void {
    this.call.cancel();
  }

  private wake(): void {
    for (const w of [...this.waiters]) w();
  }
}
