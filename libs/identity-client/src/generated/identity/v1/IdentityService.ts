// Original file: proto/identity/v1/identity.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { GetUserPermissionsRequest as _identity_v1_GetUserPermissionsRequest, GetUserPermissionsRequest__Output as _identity_v1_GetUserPermissionsRequest__Output } from '../../identity/v1/GetUserPermissionsRequest';
import type { GetUserPermissionsResponse as _identity_v1_GetUserPermissionsResponse, GetUserPermissionsResponse__Output as _identity_v1_GetUserPermissionsResponse__Output } from '../../identity/v1/GetUserPermissionsResponse';
import type { RevocationEvent as _identity_v1_RevocationEvent, RevocationEvent__Output as _identity_v1_RevocationEvent__Output } from '../../identity/v1/RevocationEvent';
import type { VerifyTokenRequest as _identity_v1_VerifyTokenRequest, VerifyTokenRequest__Output as _identity_v1_VerifyTokenRequest__Output } from '../../identity/v1/VerifyTokenRequest';
import type { VerifyTokenResponse as _identity_v1_VerifyTokenResponse, VerifyTokenResponse__Output as _identity_v1_VerifyTokenResponse__Output } from '../../identity/v1/VerifyTokenResponse';
import type { WatchRevocationsRequest as _identity_v1_WatchRevocationsRequest, WatchRevocationsRequest__Output as _identity_v1_WatchRevocationsRequest__Output } from '../../identity/v1/WatchRevocationsRequest';

export interface IdentityServiceClient extends grpc.Client {
  /**
   * INVALID_ARGUMENT for a malformed user id, NOT_FOUND for an unknown one.
   */
  GetUserPermissions(argument: _identity_v1_GetUserPermissionsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_identity_v1_GetUserPermissionsResponse__Output>): grpc.ClientUnaryCall;
  GetUserPermissions(argument: _identity_v1_GetUserPermissionsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_identity_v1_GetUserPermissionsResponse__Output>): grpc.ClientUnaryCall;
  GetUserPermissions(argument: _identity_v1_GetUserPermissionsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_identity_v1_GetUserPermissionsResponse__Output>): grpc.ClientUnaryCall;
  GetUserPermissions(argument: _identity_v1_GetUserPermissionsRequest, callback: grpc.requestCallback<_identity_v1_GetUserPermissionsResponse__Output>): grpc.ClientUnaryCall;
  /**
   * INVALID_ARGUMENT for a malformed user id, NOT_FOUND for an unknown one.
   */
  getUserPermissions(argument: _identity_v1_GetUserPermissionsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_identity_v1_GetUserPermissionsResponse__Output>): grpc.ClientUnaryCall;
  getUserPermissions(argument: _identity_v1_GetUserPermissionsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_identity_v1_GetUserPermissionsResponse__Output>): grpc.ClientUnaryCall;
  getUserPermissions(argument: _identity_v1_GetUserPermissionsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_identity_v1_GetUserPermissionsResponse__Output>): grpc.ClientUnaryCall;
  getUserPermissions(argument: _identity_v1_GetUserPermissionsRequest, callback: grpc.requestCallback<_identity_v1_GetUserPermissionsResponse__Output>): grpc.ClientUnaryCall;
  
  /**
   * An inactive token is an OK reply with active=false and a reason; an empty token is
   * INVALID_ARGUMENT.
   */
  VerifyToken(argument: _identity_v1_VerifyTokenRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_identity_v1_VerifyTokenResponse__Output>): grpc.ClientUnaryCall;
  VerifyToken(argument: _identity_v1_VerifyTokenRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_identity_v1_VerifyTokenResponse__Output>): grpc.ClientUnaryCall;
  VerifyToken(argument: _identity_v1_VerifyTokenRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_identity_v1_VerifyTokenResponse__Output>): grpc.ClientUnaryCall;
  VerifyToken(argument: _identity_v1_VerifyTokenRequest, callback: grpc.requestCallback<_identity_v1_VerifyTokenResponse__Output>): grpc.ClientUnaryCall;
  /**
   * An inactive token is an OK reply with active=false and a reason; an empty token is
   * INVALID_ARGUMENT.
   */
  verifyToken(argument: _identity_v1_VerifyTokenRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_identity_v1_VerifyTokenResponse__Output>): grpc.ClientUnaryCall;
  verifyToken(argument: _identity_v1_VerifyTokenRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_identity_v1_VerifyTokenResponse__Output>): grpc.ClientUnaryCall;
  verifyToken(argument: _identity_v1_VerifyTokenRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_identity_v1_VerifyTokenResponse__Output>): grpc.ClientUnaryCall;
  verifyToken(argument: _identity_v1_VerifyTokenRequest, callback: grpc.requestCallback<_identity_v1_VerifyTokenResponse__Output>): grpc.ClientUnaryCall;
  
  /**
   * Every revocation (sessions ended, accounts locked) and every change of what users may do
   * (roles of a user, permissions of a role), pushed as it commits on any instance of the
   * platform, for services that verify access tokens locally (libs/identity-client).
   * 
   * The stream first replays what the request's `after` asks for, then sends `caught_up`,
   * then live events in commit order, with a `heartbeat` whenever nothing else was sent for
   * `heartbeat_ms`. It never ends on its own while the platform runs; a subscriber that loses
   * it reconnects with `after` = the `cursor` of the last message it applied and misses
   * nothing that is still in force. A replay only holds revocations still in force: one
   * outlives the tokens it kills by nothing (ACCESS_TOKEN_TTL), so older ones are not sent.
   * INVALID_ARGUMENT for a malformed `after`. UNAVAILABLE while the platform cannot read its
   * event log (Postgres down) or shuts down: reconnect.
   */
  WatchRevocations(argument: _identity_v1_WatchRevocationsRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_identity_v1_RevocationEvent__Output>;
  WatchRevocations(argument: _identity_v1_WatchRevocationsRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_identity_v1_RevocationEvent__Output>;
  /**
   * Every revocation (sessions ended, accounts locked) and every change of what users may do
   * (roles of a user, permissions of a role), pushed as it commits on any instance of the
   * platform, for services that verify access tokens locally (libs/identity-client).
   * 
   * The stream first replays what the request's `after` asks for, then sends `caught_up`,
   * then live events in commit order, with a `heartbeat` whenever nothing else was sent for
   * `heartbeat_ms`. It never ends on its own while the platform runs; a subscriber that loses
   * it reconnects with `after` = the `cursor` of the last message it applied and misses
   * nothing that is still in force. A replay only holds revocations still in force: one
   * outlives the tokens it kills by nothing (ACCESS_TOKEN_TTL), so older ones are not sent.
   * INVALID_ARGUMENT for a malformed `after`. UNAVAILABLE while the platform cannot read its
   * event log (Postgres down) or shuts down: reconnect.
   */
  watchRevocations(argument: _identity_v1_WatchRevocationsRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_identity_v1_RevocationEvent__Output>;
  watchRevocations(argument: _identity_v1_WatchRevocationsRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_identity_v1_RevocationEvent__Output>;
  
}

export interface IdentityServiceHandlers extends grpc.UntypedServiceImplementation {
  /**
   * INVALID_ARGUMENT for a malformed user id, NOT_FOUND for an unknown one.
   */
  GetUserPermissions: grpc.handleUnaryCall<_identity_v1_GetUserPermissionsRequest__Output, _identity_v1_GetUserPermissionsResponse>;
  
  /**
   * An inactive token is an OK reply with active=false and a reason; an empty token is
   * INVALID_ARGUMENT.
   */
  VerifyToken: grpc.handleUnaryCall<_identity_v1_VerifyTokenRequest__Output, _identity_v1_VerifyTokenResponse>;
  
  /**
   * Every revocation (sessions ended, accounts locked) and every change of what users may do
   * (roles of a user, permissions of a role), pushed as it commits on any instance of the
   * platform, for services that verify access tokens locally (libs/identity-client).
   * 
   * The stream first replays what the request's `after` asks for, then sends `caught_up`,
   * then live events in commit order, with a `heartbeat` whenever nothing else was sent for
   * `heartbeat_ms`. It never ends on its own while the platform runs; a subscriber that loses
   * it reconnects with `after` = the `cursor` of the last message it applied and misses
   * nothing that is still in force. A replay only holds revocations still in force: one
   * outlives the tokens it kills by nothing (ACCESS_TOKEN_TTL), so older ones are not sent.
   * INVALID_ARGUMENT for a malformed `after`. UNAVAILABLE while the platform cannot read its
   * event log (Postgres down) or shuts down: reconnect.
   */
  WatchRevocations: grpc.handleServerStreamingCall<_identity_v1_WatchRevocationsRequest__Output, _identity_v1_RevocationEvent>;
  
}

export interface IdentityServiceDefinition extends grpc.ServiceDefinition {
  GetUserPermissions: MethodDefinition<_identity_v1_GetUserPermissionsRequest, _identity_v1_GetUserPermissionsResponse, _identity_v1_GetUserPermissionsRequest__Output, _identity_v1_GetUserPermissionsResponse__Output>
  VerifyToken: MethodDefinition<_identity_v1_VerifyTokenRequest, _identity_v1_VerifyTokenResponse, _identity_v1_VerifyTokenRequest__Output, _identity_v1_VerifyTokenResponse__Output>
  WatchRevocations: MethodDefinition<_identity_v1_WatchRevocationsRequest, _identity_v1_RevocationEvent, _identity_v1_WatchRevocationsRequest__Output, _identity_v1_RevocationEvent__Output>
}
