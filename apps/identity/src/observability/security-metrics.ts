import { Injectable, type OnModuleInit } from '@nestjs/common';
import { Counter, Gauge, type Registry } from 'prom-client';
import { EventBus, type IdentityEvent, type SignInMethod } from '@identity/audit';
import { OutboxRepository } from '@identity/delivery';
import { Clock } from '@identity/kernel';
import { ProtectionStatus } from '@identity/protection';
import { HttpMetrics } from '../http/ops/http-metrics';
import { Readiness } from '../http/ops/readiness';
import { RevocationPush } from '../ws/revocation-push';

const SIGN_IN_METHODS: readonly SignInMethod[] = ['password', 'federated'];
/** Outcomes shown at 0 from the start, so `rate()` and alerts see them before the first one. */
const COMMON_OUTCOMES = ['succeeded', 'invalid_credentials', 'mfa_invalid'] as const;
const LOCKOUT_SCOPES = ['email_ip', 'email', 'ip'] as const;

/**
 * The counters a security team alerts on, on `/metrics` (registered in the app's registry).
 * Counted from the event spine after commit, in the app layer, so no domain lib knows about
 * Prometheus and no request pays for more than the event it already emits; what the libs
 * count themselves (limiter refusals, pushes, sockets, outbox backlog, readiness) is read
 * at scrape time. Labels are closed sets (methods, reasons, limiter names): never a user,
 * session, email or address.
 */
@Injectable()
export class SecurityMetrics implements OnModuleInit {
  private readonly signIns: Counter<'method' | 'outcome'>;
  private readonly lockouts: Counter<'scope'>;
  private readonly mfaFailures: Counter;
  private readonly recoveryCodesUsed: Counter;
  private readonly refreshReuse: Counter;
  private readonly accountsLocked: Counter;
  private readonly revocations: Counter<'reason'>;

  constructor(
    metrics: HttpMetrics,
    private readonly events: EventBus,
    protection: ProtectionStatus,
    push: RevocationPush,
    outbox: OutboxRepository,
    readiness: Readiness,
    clock: Clock,
  ) {
    const registers: Registry[] = [metrics.registry];
    this.signIns = new Counter({
      name: 'identity_sign_ins_total',
      help: 'Sign-ins by first-factor method (password, federated) and outcome (succeeded or the refusal reason)',
      labelNames: ['method', 'outcome'],
      registers,
    });
    for (const method of SIGN_IN_METHODS)
      for (const outcome of COMMON_OUTCOMES) this.signIns.inc({ method, outcome }, 0);
    this.lockouts = new Counter({
      name: 'identity_login_lockouts_total',
      help: 'Login limits that engaged (auth.login.throttled), by scope: email_ip backoff, email or ip hourly budget',
      labelNames: ['scope'],
      registers,
    });
    for (const scope of LOCKOUT_SCOPES) this.lockouts.inc({ scope }, 0);
    this.mfaFailures = new Counter({
      name: 'identity_mfa_failures_total',
      help: 'Sign-ins refused at the MFA step (wrong TOTP or recovery code)',
      registers,
    });
    this.recoveryCodesUsed = new Counter({
      name: 'identity_mfa_recovery_codes_used_total',
      help: 'MFA recovery codes spent',
      registers,
    });
    this.refreshReuse = new Counter({
      name: 'identity_refresh_reuse_detections_total',
      help: 'Rotated refresh tokens presented again (the session family is revoked)',
      registers,
    });
    this.accountsLocked = new Counter({
      name: 'identity_accounts_locked_total',
      help: 'Accounts locked by an administrator',
      registers,
    });
    this.revocations = new Counter({
      name: 'identity_session_revocations_total',
      help: 'Session revocations (one or all sessions of a user) by reason',
      labelNames: ['reason'],
      registers,
    });
    new Counter({
      name: 'identity_rate_limit_refusals_total',
      help: 'Requests refused with 429 by this instance, by limiter',
      labelNames: ['limiter'],
      registers,
      collect: mirrorOf('limiter', () => protection.refusals()),
    });
    new Counter({
      name: 'identity_revocations_pushed_total',
      help: 'Revocation broadcasts sent to sockets (socket.io) by this instance, by reason',
      labelNames: ['reason'],
      registers,
      collect: mirrorOf('reason', () => push.pushed()),
    });
    new Gauge({
      name: 'identity_sockets_connected',
      help: 'socket.io connections to this instance now',
      registers,
      collect() {
        this.set(push.connectedSockets());
      },
    });
    new Gauge({
      name: 'identity_outbox_oldest_due_age_seconds',
      help: 'How long the longest-overdue outbox row (mail, webhook) has waited for a worker (0 when none)',
      registers,
      async collect() {
        const now = clock.now();
        let due: Date | null;
        try {
          due = await outbox.oldestDueAt(now);
        } catch {
          // Postgres away: keep the last value (0 would say all is delivered); identity_ready
          // says what is wrong.
          return;
        }
        this.set(due ? Math.max(0, (now.getTime() - due.getTime()) / 1000) : 0);
      },
    });
    new Gauge({
      name: 'identity_ready',
      help: 'Whether this instance answers /readyz with 200 (1) or 503 (0)',
      registers,
      async collect() {
        this.set((await readiness.check()).ready ? 1 : 0);
      },
    });
  }

  onModuleInit(): void {
    const on = this.events.onCommitted.bind(this.events);
    on('auth.login.succeeded', (e) => {
      this.signIns.inc({
        method: payloadOf(e, 'auth.login.succeeded').method,
        outcome: 'succeeded',
      });
    });
    on('auth.login.failed', (e) => {
      const failed = payloadOf(e, 'auth.login.failed');
      this.signIns.inc({ method: failed.method ?? 'password', outcome: failed.reason });
      if (failed.reason === 'mfa_invalid') this.mfaFailures.inc();
    });
    on('auth.login.throttled', (e) => {
      this.lockouts.inc({ scope: payloadOf(e, 'auth.login.throttled').scope });
    });
    on('auth.refresh.reused', () => this.refreshReuse.inc());
    on('mfa.recovery_code_used', () => this.recoveryCodesUsed.inc());
    on('user.locked', () => this.accountsLocked.inc());
    on('session.revoked', (e) => {
      this.revocations.inc({ reason: payloadOf(e, 'session.revoked').reason });
    });
  }
}

/** The payload of an event a subscription of `type` received (the bus filtered it). */
function payloadOf<K extends IdentityEvent['type']>(
  event: IdentityEvent,
  _type: K,
): IdentityEvent<K>['payload'] {
  return event.payload as IdentityEvent<K>['payload'];
}

/**
 * A `collect` that keeps a counter equal to the running totals `read()` returns (a lib's plain
 * counts), by adding the difference at each scrape; every name `read()` lists shows, at 0 if
 * need be.
 */
function mirrorOf<L extends string>(
  label: L,
  read: () => ReadonlyMap<string, number>,
): (this: Counter<L>) => void {
  const reported = new Map<string, number>();
  return function (this: Counter<L>) {
    for (const [name, total] of read()) {
      const before = reported.get(name) ?? 0;
      this.inc({ [label]: name } as Partial<Record<L, string>>, Math.max(0, total - before));
      reported.set(name, Math.max(total, before));
    }
  };
}
