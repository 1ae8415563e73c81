// Original file: proto/identity/v1/identity.proto


export interface WatchRevocationsRequest {
  /**
   * Where the stream starts:
   * - empty: now; only what commits after the call;
   * - "0": every revocation still in force (committed within the last ACCESS_TOKEN_TTL), then
   * live: what a subscriber with no memory (a fresh process) asks for;
   * - otherwise the `cursor` of the last message this subscriber applied (decimal digits):
   * everything after it that is still in force, then live.
   */
  'after'?: (string);
  /**
   * Milliseconds of silence after which the server sends a heartbeat, so the subscriber can
   * tell a quiet stream from a dead one. 0 = 5000; clamped to 100..60000.
   */
  'heartbeat_ms'?: (number);
}

export interface WatchRevocationsRequest__Output {
  /**
   * Where the stream starts:
   * - empty: now; only what commits after the call;
   * - "0": every revocation still in force (committed within the last ACCESS_TOKEN_TTL), then
   * live: what a subscriber with no memory (a fresh process) asks for;
   * - otherwise the `cursor` of the last message this subscriber applied (decimal digits):
   * everything after it that is still in force, then live.
   */
  'after': (string);
  /**
   * Milliseconds of silence after which the server sends a heartbeat, so the subscriber can
   * tell a quiet stream from a dead one. 0 = 5000; clamped to 100..60000.
   */
  'heartbeat_ms': (number);
}
