import type * as grpc from '@grpc/grpc-js';
import type { MessageTypeDefinition } from '@grpc/proto-loader';

import type { CaughtUp as _identity_v1_CaughtUp, CaughtUp__Output as _identity_v1_CaughtUp__Output } from './identity/v1/CaughtUp';
import type { GetUserPermissionsRequest as _identity_v1_GetUserPermissionsRequest, GetUserPermissionsRequest__Output as _identity_v1_GetUserPermissionsRequest__Output } from './identity/v1/GetUserPermissionsRequest';
import type { GetUserPermissionsResponse as _identity_v1_GetUserPermissionsResponse, GetUserPermissionsResponse__Output as _identity_v1_GetUserPermissionsResponse__Output } from './identity/v1/GetUserPermissionsResponse';
import type { Heartbeat as _identity_v1_Heartbeat, Heartbeat__Output as _identity_v1_Heartbeat__Output } from './identity/v1/Heartbeat';
import type { IdentityServiceClient as _identity_v1_IdentityServiceClient, IdentityServiceDefinition as _identity_v1_IdentityServiceDefinition } from './identity/v1/IdentityService';
import type { RevocationEvent as _identity_v1_RevocationEvent, RevocationEvent__Output as _identity_v1_RevocationEvent__Output } from './identity/v1/RevocationEvent';
import type { RoleChanged as _identity_v1_RoleChanged, RoleChanged__Output as _identity_v1_RoleChanged__Output } from './identity/v1/RoleChanged';
import type { SessionsRevoked as _identity_v1_SessionsRevoked, SessionsRevoked__Output as _identity_v1_SessionsRevoked__Output } from './identity/v1/SessionsRevoked';
import type { UserAccessChanged as _identity_v1_UserAccessChanged, UserAccessChanged__Output as _identity_v1_UserAccessChanged__Output } from './identity/v1/UserAccessChanged';
import type { UserLocked as _identity_v1_UserLocked, UserLocked__Output as _identity_v1_UserLocked__Output } from './identity/v1/UserLocked';
import type { UserUnlocked as _identity_v1_UserUnlocked, UserUnlocked__Output as _identity_v1_UserUnlocked__Output } from './identity/v1/UserUnlocked';
import type { VerifyTokenRequest as _identity_v1_VerifyTokenRequest, VerifyTokenRequest__Output as _identity_v1_VerifyTokenRequest__Output } from './identity/v1/VerifyTokenRequest';
import type { VerifyTokenResponse as _identity_v1_VerifyTokenResponse, VerifyTokenResponse__Output as _identity_v1_VerifyTokenResponse__Output } from './identity/v1/VerifyTokenResponse';
import type { WatchRevocationsRequest as _identity_v1_WatchRevocationsRequest, WatchRevocationsRequest__Output as _identity_v1_WatchRevocationsRequest__Output } from './identity/v1/WatchRevocationsRequest';

type SubtypeConstructor<Constructor extends new (...args: any) => any, Subtype> = {
  new(...args: ConstructorParameters<Constructor>): Subtype;
};

export interface ProtoGrpcType {
  identity: {
    v1: {
      CaughtUp: MessageTypeDefinition<_identity_v1_CaughtUp, _identity_v1_CaughtUp__Output>
      GetUserPermissionsRequest: MessageTypeDefinition<_identity_v1_GetUserPermissionsRequest, _identity_v1_GetUserPermissionsRequest__Output>
      GetUserPermissionsResponse: MessageTypeDefinition<_identity_v1_GetUserPermissionsResponse, _identity_v1_GetUserPermissionsResponse__Output>
      Heartbeat: MessageTypeDefinition<_identity_v1_Heartbeat, _identity_v1_Heartbeat__Output>
      IdentityService: SubtypeConstructor<typeof grpc.Client, _identity_v1_IdentityServiceClient> & { service: _identity_v1_IdentityServiceDefinition }
      RevocationEvent: MessageTypeDefinition<_identity_v1_RevocationEvent, _identity_v1_RevocationEvent__Output>
      RoleChanged: MessageTypeDefinition<_identity_v1_RoleChanged, _identity_v1_RoleChanged__Output>
      SessionsRevoked: MessageTypeDefinition<_identity_v1_SessionsRevoked, _identity_v1_SessionsRevoked__Output>
      UserAccessChanged: MessageTypeDefinition<_identity_v1_UserAccessChanged, _identity_v1_UserAccessChanged__Output>
      UserLocked: MessageTypeDefinition<_identity_v1_UserLocked, _identity_v1_UserLocked__Output>
      UserUnlocked: MessageTypeDefinition<_identity_v1_UserUnlocked, _identity_v1_UserUnlocked__Output>
      VerifyTokenRequest: MessageTypeDefinition<_identity_v1_VerifyTokenRequest, _identity_v1_VerifyTokenRequest__Output>
      VerifyTokenResponse: MessageTypeDefinition<_identity_v1_VerifyTokenResponse, _identity_v1_VerifyTokenResponse__Output>
      WatchRevocationsRequest: MessageTypeDefinition<_identity_v1_WatchRevocationsRequest, _identity_v1_WatchRevocationsRequest__Output>
    }
  }
}

