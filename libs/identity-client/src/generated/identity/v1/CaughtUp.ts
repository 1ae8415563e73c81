// Original file: proto/identity/v1/identity.proto


/**
 * The replay is complete: from here on, messages arrive as changes commit.
 */
export interface CaughtUp {
}

/**
 * The replay is complete: from here on, messages arrive as changes commit.
 */
export interface CaughtUp__Output {
}
