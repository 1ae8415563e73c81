import { Logger, Optional } from '@nestjs/common';
import {
  ConnectedSocket,
  MessageBody,
  type OnGatewayConnection,
  type OnGatewayDisconnect,
  type OnGatewayInit,
  SubscribeMessage,
  WebSocketGateway,
  WebSocketServer,
} from '@nestjs/websockets';
import { type AuthenticateAck, SESSIONS_NAMESPACE, UNAUTHORIZED } from '@identity/sessions-socket';
import { RevocationPush } from './revocation-push';
import { SocketAuthenticator, type SocketRefusal } from './socket-authenticator';
import { SocketExpiry } from './socket-expiry';
import type { SessionsNamespace, SessionsSocket } from './sessions-socket.types';
import { assertUnreachable } from '@identity/kernel';
import { DependencyOutages, isDependencyUnavailable } from '../bootstrap/dependency-outage';

/**
 * The `/sessions` namespace (API.md "Socket.io (revocation push)"): authenticates the
 * handshake, keeps each socket in its user's and session's rooms until its token expires, and
 * lets {@link RevocationPush} tell those rooms when their sessions die. Thin: the rules live in
 * {@link SocketAuthenticator} and {@link SocketExpiry}.
 */
@WebSocketGateway({ namespace: SESSIONS_NAMESPACE })
export class SessionsGateway implements OnGatewayInit, OnGatewayConnection, OnGatewayDisconnect {
  private readonly logger = new Logger('SessionsGateway');

  /** This instance's view of the namespace; broadcasts through it reach every instance. */
  @WebSocketServer()
  readonly server!: SessionsNamespace;

  constructor(
    private readonly auth: SocketAuthenticator,
    private readonly expiry: SocketExpiry,
    private readonly push: RevocationPush,
    @Optional() private readonly outages?: DependencyOutages,
  ) {}

  afterInit(namespace: SessionsNamespace): void {
    this.push.attach(namespace);
    // A refused handshake is a `connect_error` whose message is exactly `unauthorized`.
    namespace.use((socket, next) => {
      this.auth.admit(socket).then(
        (refusal) => next(refusal === undefined ? undefined : this.refuse(refusal)),
        (err: unknown) => {
          this.failed(err, 'socket handshake failed; refused');
          next(new Error(UNAUTHORIZED));
        },
      );
    });
  }

  handleConnection(socket: SessionsSocket): void {
    this.expiry.arm(socket);
  }

  handleDisconnect(socket: SessionsSocket): void {
    this.expiry.clear(socket);
  }

  /** A fresh access token of the same session moves the socket's expiry; acked. */
  @SubscribeMessage('authenticate')
  async authenticate(
    @ConnectedSocket() socket: SessionsSocket,
    @MessageBody() request: unknown,
  ): Promise<AuthenticateAck> {
    try {
      const ack = await this.auth.renew(socket, request);
      if (ack.ok) this.expiry.arm(socket);
      return ack;
    } catch (err) {
      this.failed(err, 'socket token renewal failed; declined');
      return { ok: false, error: 'unauthorized' };
    }
  }

  /** A dependency outage is logged once per outage; anything else once per failure. */
  private failed(err: unknown, message: string): void {
    if (isDependencyUnavailable(err)) this.outages?.report(err, { transport: 'socket' });
    else this.logger.warn({ err: errorMessage(err) }, message);
  }

  private refuse(refusal: SocketRefusal): Error {
    switch (refusal) {
      case 'missing_token':
      case 'malformed':
      case 'invalid_signature':
      case 'unknown_key':
      case 'expired':
      case 'not_yet_valid':
      case 'audience_mismatch':
      case 'issuer_mismatch':
      case 'revoked':
      case 'token_expired':
      case 'session_inactive':
        this.logger.debug({ reason: refusal }, 'socket handshake refused');
        return new Error(UNAUTHORIZED);
      default:
        return assertUnreachable(refusal);
    }
  }
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
