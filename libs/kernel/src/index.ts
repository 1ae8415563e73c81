/**
 * `@identity/kernel`: the few rules every context shares and none owns. Kept small on purpose:
 * a refusal's base class and the exhaustive-switch guard, the id format, and the clock.
 */
export { DomainError, assertUnreachable } from './domain-error';
export { isUuid } from './uuid';
export { Clock, SystemClock, ClockModule } from './clock';
