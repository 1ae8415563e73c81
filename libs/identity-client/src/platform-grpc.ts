import { readFileSync } from 'node:fs';
import {
  type ChannelCredentials,
  type ClientReadableStream,
  credentials,
  loadPackageDefinition,
  Metadata,
  type ServiceError,
  status,
} from '@grpc/grpc-js';
import { fromJSON } from '@grpc/proto-loader';
import type { ProtoGrpcType } from './generated/identity';
import { IDENTITY_PROTO_DESCRIPTOR } from './generated/identity-descriptor';
import type { GetUserPermissionsResponse__Output } from './generated/identity/v1/GetUserPermissionsResponse';
import type { IdentityServiceClient } from './generated/identity/v1/IdentityService';
import type { RevocationEvent__Output } from './generated/identity/v1/RevocationEvent';
import type { VerifyTokenResponse__Output } from './generated/identity/v1/VerifyTokenResponse';
import type { WatchRevocationsRequest } from './generated/identity/v1/WatchRevocationsRequest';
import type { ResolvedOptions } from './identity-client.options';

/**
 * How the messages are handed over (the generated types assume exactly these): field names as
 * in the proto, int64 as numbers, enums as names, defaults filled in, virtual oneof fields.
 */
export const PROTO_LOADER_OPTIONS = {
  keepCase: true,
  longs: Number,
  enums: String,
  defaults: true,
  oneofs: true,
} as const;

function channelCredentials(tls: ResolvedOptions['grpc']['tls']): ChannelCredentials {
  if (!tls) return credentials.createInsecure();
  return credentials.createSsl(
    readFileSync(tls.caPath),
    tls.keyPath ? readFileSync(tls.keyPath) : null,
    tls.certPath ? readFileSync(tls.certPath) : null,
  );
}

/**
 * The platform's `identity.v1.IdentityService` over one HTTP/2 channel, typed by the code
 * generated from the proto. Unary calls carry a deadline; the stream does not (it is meant to
 * live), the channel's keepalive finds a dead connection instead.
 */
export class PlatformGrpc {
  private readonly client: IdentityServiceClient;

  constructor(private readonly options: ResolvedOptions['grpc']) {
    const definition = fromJSON(IDENTITY_PROTO_DESCRIPTOR, PROTO_LOADER_OPTIONS);
    const proto = loadPackageDefinition(definition) as unknown as ProtoGrpcType;
    this.client = new proto.identity.v1.IdentityService(
      options.address,
      channelCredentials(options.tls),
      {
        // The name the server's certificate must carry, when it is not the address's host.
        ...(options.tls?.serverName
          ? { 'grpc.ssl_target_name_override': options.tls.serverName }
          : {}),
        'grpc.keepalive_time_ms': 10_000,
        'grpc.keepalive_timeout_ms': 5_000,
        'grpc.keepalive_permit_without_calls': 1,
      },
    );
  }

  /**
   * The platform's verdict on a token.
   * @throws ServiceError when the platform cannot answer (callers fail closed).
   */
  verifyToken(token: string, audience: string): Promise<VerifyTokenResponse__Output> {
    return new Promise((resolve, reject) => {
      this.client.VerifyToken(
        { token, audience },
        new Metadata(),
        this.callOptions(),
        (err, res) => (err || !res ? reject(err ?? new Error('empty answer')) : resolve(res)),
      );
    });
  }

  /**
   * The user's current roles and permissions; null for an unknown user (NOT_FOUND).
   * @throws ServiceError when the platform cannot answer.
   */
  getUserPermissions(userId: string): Promise<GetUserPermissionsResponse__Output | null> {
    return new Promise((resolve, reject) => {
      this.client.GetUserPermissions(
        { user_id: userId },
        new Metadata(),
        this.callOptions(),
        (err: ServiceError | null, res?: GetUserPermissionsResponse__Output) => {
          if (err?.code === status.NOT_FOUND) resolve(null);
          else if (err || !res) reject(err ?? new Error('empty answer'));
          else resolve(res);
        },
      );
    });
  }

  /** Opens `WatchRevocations`; the caller listens for data, error and end. */
  watchRevocations(
    request: WatchRevocationsRequest,
  ): ClientReadableStream<RevocationEvent__Output> {
    return this.client.WatchRevocations(request);
  }

  close(): void {
    this.client.close();
  }

  private callOptions(): { deadline: number } {
    return { deadline: Date.now() + this.options.deadlineMs };
  }
}
