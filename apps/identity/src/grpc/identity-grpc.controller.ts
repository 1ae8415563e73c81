import { Controller, UseFilters } from '@nestjs/common';
import { GrpcMethod } from '@nestjs/microservices';
import { status } from '@grpc/grpc-js';
import { Observable } from 'rxjs';
import {
  AccessService,
  type Introspection,
  isFeedCursor,
  RevocationFeed,
  TokenIntrospection,
} from '@identity/access';
import { grpcError, GrpcErrorsFilter } from './grpc-errors.filter';
import type {
  GetUserPermissionsRequest,
  GetUserPermissionsResponse,
  RevocationEvent,
  VerifyTokenRequest,
  VerifyTokenResponse,
  WatchRevocationsRequest,
} from './identity.messages';
import { toRevocationEvent } from './revocation-event.mapper';
import { isUuid } from '@identity/kernel';

/**
 * Longer than any token this platform mints by far; a bigger one is not worth parsing (its
 * verdict is `malformed`).
 */
const MAX_TOKEN_LENGTH = 8_192;

/** `heartbeat_ms` of WatchRevocations: 0 means this, and it is clamped to the bounds. */
const DEFAULT_HEARTBEAT_MS = 5_000;
const MIN_HEARTBEAT_MS = 100;
const MAX_HEARTBEAT_MS = 60_000;

/**
 * `identity.v1.IdentityService` for internal services: is this token good, what may this
 * user do, and what was revoked. Thin: one domain call each, plus mapping. Internal network only (mutual TLS in
 * production), which is why inactive tokens carry their `reason`.
 */
@Controller()
@UseFilters(GrpcErrorsFilter)
export class IdentityGrpcController {
  constructor(
    private readonly introspection: TokenIntrospection,
    private readonly access: AccessService,
    private readonly feed: RevocationFeed,
  ) {}

  @GrpcMethod('IdentityService', 'VerifyToken')
  async verifyToken(request: VerifyTokenRequest): Promise<VerifyTokenResponse> {
    if (!request.token) throw grpcError(status.INVALID_ARGUMENT, 'token is required');
    if (request.token.length > MAX_TOKEN_LENGTH) return inactive('malformed');
    return toVerifyTokenResponse(
      await this.introspection.introspect(request.token, request.audience),
    );
  }

  @GrpcMethod('IdentityService', 'GetUserPermissions')
  async getUserPermissions(
    request: GetUserPermissionsRequest,
  ): Promise<GetUserPermissionsResponse> {
    if (!isUuid(request.user_id))
      throw grpcError(status.INVALID_ARGUMENT, 'user_id must be a UUID');
    const { roles, permissions } = await this.access.currentAccess(request.user_id);
    return { user_id: request.user_id.toLowerCase(), roles, permissions };
  }

  /** A server stream: lives until the client cancels it or this instance shuts down. */
  @GrpcMethod('IdentityService', 'WatchRevocations')
  watchRevocations(request: WatchRevocationsRequest): Observable<RevocationEvent> {
    const after = request.after;
    if (after !== '' && !isFeedCursor(after))
      throw grpcError(status.INVALID_ARGUMENT, 'after must be empty, "0" or a cursor');
    const heartbeatMs = Math.min(
      MAX_HEARTBEAT_MS,
      Math.max(MIN_HEARTBEAT_MS, request.heartbeat_ms || DEFAULT_HEARTBEAT_MS),
    );
    return new Observable<RevocationEvent>((subscriber) => {
      const watch = this.feed.watch(
        { after, heartbeatMs },
        {
          next: (message) => subscriber.next(toRevocationEvent(message)),
          error: (err) => subscriber.error(err),
          complete: () => subscriber.complete(),
        },
      );
      return () => watch.close();
    });
  }
}

function toVerifyTokenResponse(result: Introspection): VerifyTokenResponse {
  if (!result.active) return inactive(result.reason);
  return {
    active: true,
    user_id: result.userId,
    session_id: result.sessionId,
    roles: result.roles,
    permissions: result.permissions,
    expires_at: Math.floor(result.expiresAt.getTime() / 1000),
    reason: '',
    mfa: result.mfa,
    jti: result.jti,
  };
}

function inactive(reason: string): VerifyTokenResponse {
  return {
    active: false,
    user_id: '',
    session_id: '',
    roles: [],
    permissions: [],
    expires_at: 0,
    reason,
    mfa: false,
    jti: '',
  };
}
