/**
 * `@identity/protection`: abuse protection on rate-limiter-flexible over the kv store. Login
 * backoff and budgets, MFA attempt caps, mail-send limits and the general per-IP `/auth/*`
 * limit, shared across instances through Redis, with an in-process fallback while Redis is
 * down ({@link ProtectionStatus.degraded}). Every refusal is a {@link ThrottledError}; the
 * transports answer it 429 with `Retry-After`.
 */
export { ProtectionModule } from './protection.module';
export { ProtectionStatus } from './protection.status';
export {
  LoginThrottle,
  type LoginAttempt,
  type LoginTicket,
  type LoginThrottleScope,
} from './login-throttle';
export { MfaThrottle, type MfaAttempt, type MfaTicket } from './mfa-throttle';
export { MailThrottle, type MailRequest } from './mail-throttle';
export { RequestThrottle } from './request-throttle';
export { ThrottledError, type ProtectionErrorCode } from './protection.errors';
export { backoffSeconds, type BackoffSchedule } from './backoff';
