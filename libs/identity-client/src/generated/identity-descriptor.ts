// Generated from proto/identity/v1/identity.proto by libs/identity-client/codegen/generate.js. Do not edit.
// The protobufjs JSON descriptor the SDK loads the service from (no .proto at run time).
export const IDENTITY_PROTO_DESCRIPTOR: object = {
  "nested": {
    "identity": {
      "nested": {
        "v1": {
          "nested": {
            "IdentityService": {
              "methods": {
                "VerifyToken": {
                  "requestType": "VerifyTokenRequest",
                  "responseType": "VerifyTokenResponse"
                },
                "GetUserPermissions": {
                  "requestType": "GetUserPermissionsRequest",
                  "responseType": "GetUserPermissionsResponse"
                },
                "WatchRevocations": {
                  "requestType": "WatchRevocationsRequest",
                  "responseType": "RevocationEvent",
                  "responseStream": true
                }
              }
            },
            "VerifyTokenRequest": {
              "fields": {
                "token": {
                  "type": "string",
                  "id": 1
                },
                "audience": {
                  "type": "string",
                  "id": 2
                }
              }
            },
            "VerifyTokenResponse": {
              "fields": {
                "active": {
                  "type": "bool",
                  "id": 1
                },
                "user_id": {
                  "type": "string",
                  "id": 2
                },
                "session_id": {
                  "type": "string",
                  "id": 3
                },
                "roles": {
                  "rule": "repeated",
                  "type": "string",
                  "id": 4
                },
                "permissions": {
                  "rule": "repeated",
                  "type": "string",
                  "id": 5
                },
                "expires_at": {
                  "type": "int64",
                  "id": 6
                },
                "reason": {
                  "type": "string",
                  "id": 7
                },
                "mfa": {
                  "type": "bool",
                  "id": 8
                },
                "jti": {
                  "type": "string",
                  "id": 9
                }
              }
            },
            "GetUserPermissionsRequest": {
              "fields": {
                "user_id": {
                  "type": "string",
                  "id": 1
                }
              }
            },
            "GetUserPermissionsResponse": {
              "fields": {
                "user_id": {
                  "type": "string",
                  "id": 1
                },
                "roles": {
                  "rule": "repeated",
                  "type": "string",
                  "id": 2
                },
                "permissions": {
                  "rule": "repeated",
                  "type": "string",
                  "id": 3
                }
              }
            },
            "WatchRevocationsRequest": {
              "fields": {
                "after": {
                  "type": "string",
                  "id": 1
                },
                "heartbeat_ms": {
                  "type": "uint32",
                  "id": 2
                }
              }
            },
            "RevocationEvent": {
              "oneofs": {
                "event": {
                  "oneof": [
                    "sessions_revoked",
                    "user_locked",
                    "user_unlocked",
                    "user_access_changed",
                    "role_changed",
                    "caught_up",
                    "heartbeat"
                  ]
                }
              },
              "fields": {
                "cursor": {
                  "type": "string",
                  "id": 1
                },
                "at_ms": {
                  "type": "int64",
                  "id": 2
                },
                "sessions_revoked": {
                  "type": "SessionsRevoked",
                  "id": 3
                },
                "user_locked": {
                  "type": "UserLocked",
                  "id": 4
                },
                "user_unlocked": {
                  "type": "UserUnlocked",
                  "id": 5
                },
                "user_access_changed": {
                  "type": "UserAccessChanged",
                  "id": 6
                },
                "role_changed": {
                  "type": "RoleChanged",
                  "id": 7
                },
                "caught_up": {
                  "type": "CaughtUp",
                  "id": 8
                },
                "heartbeat": {
                  "type": "Heartbeat",
                  "id": 9
                }
              }
            },
            "SessionsRevoked": {
              "fields": {
                "user_id": {
                  "type": "string",
                  "id": 1
                },
                "session_ids": {
                  "rule": "repeated",
                  "type": "string",
                  "id": 2
                },
                "until": {
                  "type": "int64",
                  "id": 3
                },
                "reason": {
                  "type": "string",
                  "id": 4
                }
              }
            },
            "UserLocked": {
              "fields": {
                "user_id": {
                  "type": "string",
                  "id": 1
                },
                "until": {
                  "type": "int64",
                  "id": 2
                }
              }
            },
            "UserUnlocked": {
              "fields": {
                "user_id": {
                  "type": "string",
                  "id": 1
                }
              }
            },
            "UserAccessChanged": {
              "fields": {
                "user_id": {
                  "type": "string",
                  "id": 1
                },
                "roles": {
                  "rule": "repeated",
                  "type": "string",
                  "id": 2
                }
              }
            },
            "RoleChanged": {
              "fields": {
                "role": {
                  "type": "string",
                  "id": 1
                },
                "deleted": {
                  "type": "bool",
                  "id": 2
                }
              }
            },
            "CaughtUp": {
              "fields": {}
            },
            "Heartbeat": {
              "fields": {}
            }
          }
        }
      }
    }
  }
};
