/**
 * `@identity/sessions`: one session is one login and one refresh-token family. Opens sessions
 * (in the login transaction), rotates refresh tokens with reuse detection, lists and revokes
 * sessions, and purges dead ones. Refresh tokens and IPs are stored only as hashes.
 */
export {
  type ClientContext,
  type TokenPair,
  type OpenSessionInput,
  type RevokeAllInput,
  type LogoutInput,
  type SessionErrorCode,
  type SessionView,
  SessionError,
} from './sessions.contract';
export { SessionService } from './session.service';
export { IpHasher } from './ip-hasher';
export { SessionsModule } from './sessions.module';
export { SessionPurgeJob } from './session-purge.job';
