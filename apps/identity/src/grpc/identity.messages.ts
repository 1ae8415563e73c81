/**
 * The messages of `proto/identity/v1/identity.proto`, as the loader hands them over
 * (`keepCase`, `longs: Number`, `defaults: true`, virtual oneof fields): snake_case fields,
 * int64 as a number. Generated from the proto (libs/identity-client/src/generated, checked by
 * a test against a fresh generation), never typed by hand: requests as they arrive, answers in
 * their complete form.
 */
export type {
  GetUserPermissionsRequest__Output as GetUserPermissionsRequest,
  GetUserPermissionsResponse__Output as GetUserPermissionsResponse,
  RevocationEvent__Output as RevocationEvent,
  VerifyTokenRequest__Output as VerifyTokenRequest,
  VerifyTokenResponse__Output as VerifyTokenResponse,
  WatchRevocationsRequest__Output as WatchRevocationsRequest,
} from '@identity/identity-client';
