import { Injectable } from '@nestjs/common';
import { toDataURL } from 'qrcode';
import { EventBus } from '@identity/audit';
import { type AppConfig, InjectConfig } from '@identity/config';
import { Database, type Tx } from '@identity/database';
import { EmailService } from '@identity/delivery';
import { type User, UserRepository } from '@identity/users';
import { CodeConfirmedChange } from './code-confirmed-change';
import { MfaError } from './mfa.errors';
import { MfaTotpRepository } from './mfa-totp.repository';
import { PasswordReauth } from './password-reauth';
import { RecoveryCodeService } from './recovery-code.service';
import type { SecondFactorProof } from './second-factor';
import { matchTotp, newTotpSecret, totpUri } from './totp';
import { TotpVerifier } from './totp-verifier';
import { Clock } from '@identity/kernel';

/** What `POST /auth/mfa/totp/setup` answers (before snake_case mapping). */
export interface TotpSetup {
  /** Base32, for typing into an authenticator app by hand. */
  secret: string;
  otpauthUrl: string;
  /** The otpauth URL as a PNG QR code, `data:image/png;base64,...`. */
  qrCode: string;
}

/**
 * A setup not confirmed within this time is void: the secret was shown on a screen, and a
 * stale one should not become a live factor days later.
 */
const PENDING_LIFETIME_MS = 15 * 60 * 1000;

/** TOTP enrolment of a signed-in user: setup, confirmation, and turning it off. */
@Injectable()
export class TotpEnrolmentService {
  private readonly issuer: string;

  constructor(
    private readonly db: Database,
    private readonly users: UserRepository,
    private readonly totps: MfaTotpRepository,
    private readonly verifier: TotpVerifier,
    private readonly reauth: PasswordReauth,
    private readonly recoveryCodes: RecoveryCodeService,
    private readonly codeConfirmed: CodeConfirmedChange,
    private readonly mail: EmailService,
    private readonly events: EventBus,
    private readonly clock: Clock,
    @InjectConfig() config: AppConfig,
  ) {
    // The host of APP_URL, without a port: authenticator apps split the label on ':'.
    this.issuer = new URL(config.appUrl).hostname;
  }

  /**
   * Starts (or restarts) an enrolment after re-authentication with the password: a new
   * 160-bit secret is stored sealed and pending, and returned once, as text, URL and QR code.
   * @throws MfaError `mfa.password_invalid`, `mfa.already_enabled`, `mfa.account_not_found`.
   * @throws ThrottledError `protection.too_many_attempts` past the account's sign-in limits.
   */
  async setup(input: {
    userId: string;
    password: string;
    client: { ip: string };
  }): Promise<TotpSetup> {
    const account = await this.account(input.userId);
    if (!(await this.reauth.matches(account, input.password, input.client))) {
      throw new MfaError('mfa.password_invalid');
    }
    if (await this.totps.isEnabled(account.id)) throw new MfaError('mfa.already_enabled');
    const secret = newTotpSecret();
    // The check above is for a clean answer; this conditional upsert is the guard.
    if (
      !(await this.totps.savePending({
        userId: account.id,
        ...this.verifier.seal(account.id, secret),
        at: this.clock.now(),
      }))
    ) {
      throw new MfaError('mfa.already_enabled');
    }
    const otpauthUrl = totpUri({ issuer: this.issuer, account: account.email, secret });
    const qrCode = await toDataURL(otpauthUrl, { errorCorrectionLevel: 'M', margin: 2 });
    return { secret, otpauthUrl, qrCode };
  }

  /**
   * Confirms the pending enrolment with its first code: TOTP is enabled, that code's step is
   * used, and ten recovery codes are created and returned (the only time they are shown).
   * @throws MfaError `mfa.confirmation_invalid` for a wrong code, or when there is no pending
   *   (or a stale) enrolment.
   */
  async confirm(input: { userId: string; code: string }): Promise<{ recoveryCodes: string[] }> {
    const enrolment = await this.totps.findByUser(input.userId);
    if (
      !enrolment ||
      enrolment.enabled ||
      enrolment.createdAt.getTime() < this.clock.nowMs() - PENDING_LIFETIME_MS
    ) {
      throw new MfaError('mfa.confirmation_invalid');
    }
    const step = await matchTotp({
      secret: this.verifier.open(enrolment),
      code: input.code,
      now: this.clock.nowSeconds(),
    });
    if (step === null) throw new MfaError('mfa.confirmation_invalid');
    return this.db.withTransaction(async (tx) => {
      const enabled = await this.totps.enable(
        { userId: input.userId, secretEnc: enrolment.secretEnc, step },
        tx,
      );
      if (!enabled) throw new MfaError('mfa.confirmation_invalid');
      const recoveryCodes = await this.recoveryCodes.replace(tx, input.userId);
      await this.events.emit(tx, 'mfa.enabled', { userId: input.userId });
      return { recoveryCodes };
    });
  }

  /**
   * Turns TOTP off (and deletes the recovery codes) after proof by a second factor: a current
   * code or a recovery code, never the password alone (it may be what was stolen). The owner
   * is mailed.
   * @throws MfaError `mfa.code_invalid` for a wrong or replayed code, or without an enabled
   *   TOTP; `mfa.account_not_found`.
   * @throws ThrottledError `protection.too_many_attempts` past the user's MFA budget.
   */
  async disable(input: { userId: string; proof: SecondFactorProof }): Promise<void> {
    const account = await this.account(input.userId);
    await this.codeConfirmed.run({ user: account, proof: input.proof }, (tx) =>
      this.remove(tx, account),
    );
  }

  /**
   * Replaces the user's recovery codes with ten new ones after a second factor confirms it;
   * the old codes stop working in the same transaction. The new codes are returned once and
   * only their hashes are kept.
   * @throws MfaError `mfa.code_invalid` for a wrong or replayed code, or without enabled TOTP.
   * @throws ThrottledError `protection.too_many_attempts` past the user's MFA budget.
   */
  async regenerateRecoveryCodes(input: {
    userId: string;
    proof: SecondFactorProof;
  }): Promise<{ recoveryCodes: string[] }> {
    const account = await this.account(input.userId);
    return this.codeConfirmed.run({ user: account, proof: input.proof }, async (tx) => {
      const recoveryCodes = await this.recoveryCodes.replace(tx, account.id);
      await this.events.emit(tx, 'mfa.recovery_codes_regenerated', { userId: account.id });
      return { recoveryCodes };
    });
  }

  /**
   * Removes the account's TOTP (enabled or pending) and recovery codes on an operator's word,
   * without a second factor: for an owner who lost both the device and the codes, once
   * support has verified them out of band. Runs in the caller's `tx` (which also ends the
   * sessions); emits `mfa.disabled` with `actorId` and mails the owner when TOTP was enabled.
   * Returns whether it was. The account must exist (the caller looked it up).
   */
  async resetByOperator(tx: Tx, input: { user: User; actorId: string }): Promise<boolean> {
    return this.remove(tx, input.user, input.actorId);
  }

  private async remove(tx: Tx, account: User, actorId?: string): Promise<boolean> {
    const wasEnabled = await this.totps.remove(account.id, tx);
    await this.recoveryCodes.removeAll(tx, account.id);
    if (!wasEnabled) return false;
    await this.events.emit(tx, 'mfa.disabled', { userId: account.id, actorId });
    await this.mail.queue(tx, {
      template: 'mfa_disabled',
      to: account.email,
      vars: { name: account.name ?? undefined },
    });
    return true;
  }

  private async account(userId: string): Promise<User> {
    const account = await this.users.findById(userId);
    if (!account) throw new MfaError('mfa.account_not_found');
    return account;
  }
}
