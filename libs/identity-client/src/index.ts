/**
 * `@identity/identity-client`: the SDK internal Nest services add to trust the identity
 * platform's access tokens. It talks to the platform over gRPC (`identity.v1.IdentityService`)
 * and HTTPS (its JWKS) only, and imports nothing else of this repository: a separate service
 * can hold it as it is. README.md beside this file says how to use it.
 */
export {
  IdentityClientModule,
  IDENTITY_CLIENT_OPTIONS,
  type IdentityClientAsyncOptions,
} from './identity-client.module';
export { type IdentityClientOptions, resolveOptions } from './identity-client.options';
export {
  IdentityClient,
  IdentityUnavailableError,
  type Authentication,
  type IdentityClientStatus,
  type IdentityUser,
} from './identity-client';
export { IdentityGuard } from './identity.guard';
export { CurrentUser, Public, RequirePermissions, IDENTITY_USER } from './decorators';
export type { UserGrants } from './permission-cache';
export type { TokenRejection } from './access-token-verifier';
export { PROTO_LOADER_OPTIONS } from './platform-grpc';

// The messages of identity.v1, generated from proto/ (one source of truth, never typed by hand).
export type { ProtoGrpcType as IdentityProto } from './generated/identity';
export type {
  IdentityServiceClient,
  IdentityServiceHandlers,
} from './generated/identity/v1/IdentityService';
export type * from './generated/identity/v1/VerifyTokenRequest';
export type * from './generated/identity/v1/VerifyTokenResponse';
export type * from './generated/identity/v1/GetUserPermissionsRequest';
export type * from './generated/identity/v1/GetUserPermissionsResponse';
export type * from './generated/identity/v1/WatchRevocationsRequest';
export type * from './generated/identity/v1/RevocationEvent';
export type * from './generated/identity/v1/SessionsRevoked';
export type * from './generated/identity/v1/UserLocked';
export type * from './generated/identity/v1/UserUnlocked';
export type * from './generated/identity/v1/UserAccessChanged';
export type * from './generated/identity/v1/RoleChanged';
export type * from './generated/identity/v1/CaughtUp';
export type * from './generated/identity/v1/Heartbeat';
