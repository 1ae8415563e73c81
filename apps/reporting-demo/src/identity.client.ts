import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  type ChannelCredentials,
  type Client,
  credentials,
  loadPackageDefinition,
  Metadata,
  type ServiceClientConstructor,
  type ServiceError,
} from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';

/** `identity.v1.VerifyTokenResponse` (API.md, gRPC). */
export interface VerifiedToken {
  active: boolean;
  user_id: string;
  session_id: string;
  roles: string[];
  permissions: string[];
  /** Unix seconds. */
  expires_at: number;
  reason: string;
  mfa: boolean;
  jti: string;
}

/** Where the identity service listens and how to reach it. */
export interface IdentityClientOptions {
  /** `host:port` of the identity service's gRPC port. */
  address: string;
  /**
   * PEM files: `ca` turns TLS on, and the server must present a certificate that this CA
   * signed for the address's host (or `serverName`); `cert`+`key` present a client
   * certificate (mutual TLS). There is no way to skip the server check.
   */
  tls?: { caPath: string; certPath?: string; keyPath?: string; serverName?: string };
  /** Per-call deadline. Default 2 s. */
  deadlineMs?: number;
}

type Unary<Req, Res> = (
  request: Req,
  metadata: Metadata,
  options: { deadline: number },
  callback: (err: ServiceError | null, response: Res) => void,
) => void;

interface IdentityServiceClient extends Client {
  VerifyToken: Unary<{ token: string; audience: string }, VerifiedToken>;
}

/** `proto/` of the monorepo, from the sources or from the build (`dist/apps/...`). */
function protoRoot(): string {
  for (const candidate of [join(__dirname, '../../../proto'), join(process.cwd(), 'proto')]) {
    if (existsSync(join(candidate, 'identity/v1/identity.proto'))) return candidate;
  }
  throw new Error('proto/identity/v1/identity.proto not found');
}

function loadIdentityService(): ServiceClientConstructor {
  const root = protoRoot();
  const definition = loadSync(join(root, 'identity/v1/identity.proto'), {
    keepCase: true,
    longs: Number,
    enums: String,
    defaults: true,
    includeDirs: [root],
  });
  const pkg = loadPackageDefinition(definition) as unknown as {
    identity: { v1: { IdentityService: ServiceClientConstructor } };
  };
  return pkg.identity.v1.IdentityService;
}

function channelCredentials(tls: IdentityClientOptions['tls']): ChannelCredentials {
  if (!tls) return credentials.createInsecure();
  return credentials.createSsl(
    readFileSync(tls.caPath),
    tls.keyPath ? readFileSync(tls.keyPath) : null,
    tls.certPath ? readFileSync(tls.certPath) : null,
  );
}

/**
 * A client of the identity service's `VerifyToken`, as any internal service would hold one:
 * one HTTP/2 channel for the process, a deadline on every call.
 */
export class IdentityClient {
  private readonly client: IdentityServiceClient;
  private readonly deadlineMs: number;

  constructor(options: IdentityClientOptions) {
    const IdentityService = loadIdentityService();
    // The constructor is built from the proto at run time; its methods are typed above.
    const serverName = options.tls?.serverName;
    this.client = new IdentityService(
      options.address,
      channelCredentials(options.tls),
      // The name the server's certificate must carry, when it is not the address's host.
      serverName ? { 'grpc.ssl_target_name_override': serverName } : {},
    ) as unknown as IdentityServiceClient;
    this.deadlineMs = options.deadlineMs ?? 2_000;
  }

  /**
   * Asks whether `token` is good and what its user may do now.
   * @throws the gRPC error when the identity service cannot answer (callers fail closed).
   */
  verifyToken(token: string, audience = ''): Promise<VerifiedToken> {
    return new Promise((resolve, reject) => {
      this.client.VerifyToken(
        { token, audience },
        new Metadata(),
        { deadline: Date.now() + this.deadlineMs },
        (err, response) => (err ? reject(err) : resolve(response)),
      );
    });
  }

  close(): void {
    this.client.close();
  }
}
