// Original file: proto/identity/v1/identity.proto


/**
 * Nothing happened for heartbeat_ms; the stream is alive and complete up to `cursor`.
 */
export interface Heartbeat {
}

/**
 * Nothing happened for heartbeat_ms; the stream is alive and complete up to `cursor`.
 */
export interface Heartbeat__Output {
}
