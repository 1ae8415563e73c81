import { Injectable, type OnModuleInit } from '@nestjs/common';
import { InjectConfig, type AppConfig } from '@identity/config';
import { BreachedPasswordChecker } from './breached-password.checker';
import { foldPassword, loadCommonPasswords } from './common-passwords';
import { codePointLength, normalizePassword } from './password-normalization';
import { WeakPasswordError } from './passwords.errors';
import { isPredictable } from './predictable-password';

/** The longest password accepted, in code points after NFKC. */
export const MAX_PASSWORD_LENGTH = 128;

/** Shortest email local part that is looked for inside a password; shorter ones match by chance. */
const MIN_EMAIL_LOCAL_PART = 3;

/** The rules a new password can break. */
export type PolicyRule =
  'too_short' | 'too_long' | 'common' | 'predictable' | 'contains_email' | 'breached';

/** One broken rule, with a message for people (its subject, the password field, is implied). */
export interface PolicyViolation {
  rule: PolicyRule;
  message: string;
}

/** What the policy may know about the account the password is for. */
export interface PolicyContext {
  email?: string;
}

/**
 * Decides whether a new password (registration, reset, change) is acceptable. Lengths count
 * Unicode code points after NFKC, the form {@link PasswordHasher} hashes.
 */
@Injectable()
export class PasswordPolicy implements OnModuleInit {
  constructor(
    @InjectConfig() private readonly config: AppConfig,
    private readonly breached: BreachedPasswordChecker,
  ) {}

  /** Reads the common-password list at boot, so a missing list stops the app, not a request. */
  async onModuleInit(): Promise<void> {
    await loadCommonPasswords();
  }

  /**
   * Lists every rule the password breaks; empty means acceptable. The breached-password
   * lookup (a network call) runs only when every local rule passes.
   * @throws Error when the common-password list cannot be read.
   */
  async check(password: string, context: PolicyContext = {}): Promise<PolicyViolation[]> {
    const normalized = normalizePassword(password);
    const folded = normalized.toLowerCase();
    const length = codePointLength(normalized);
    const { minLength } = this.config.passwords;
    const violations: PolicyViolation[] = [];

    if (length < minLength)
      violations.push({ rule: 'too_short', message: `must be at least ${minLength} characters` });
    if (length > MAX_PASSWORD_LENGTH)
      violations.push({
        rule: 'too_long',
        message: `must be at most ${MAX_PASSWORD_LENGTH} characters`,
      });
    if ((await loadCommonPasswords()).has(folded))
      violations.push({
        rule: 'common',
        message: 'is one of the most commonly used passwords; choose a less predictable one',
      });
    if (isPredictable(folded))
      violations.push({
        rule: 'predictable',
        message:
          'is mostly one repeated character or a keyboard or number sequence; choose something less predictable',
      });
    const localPart = emailLocalPart(context.email);
    if (localPart && folded.includes(localPart))
      violations.push({
        rule: 'contains_email',
        message: 'must not contain your email address or the part of it before the @',
      });

    if (violations.length === 0 && (await this.breached.isBreached(normalized)))
      violations.push({
        rule: 'breached',
        message: 'has appeared in a known data breach; choose a different password',
      });
    return violations;
  }

  /**
   * Same rules as {@link check}, for callers that stop at the first refusal.
   * @throws WeakPasswordError listing every broken rule.
   * @throws Error when the common-password list cannot be read.
   */
  async enforce(password: string, context: PolicyContext = {}): Promise<void> {
    const violations = await this.check(password, context);
    if (violations.length > 0) throw new WeakPasswordError(violations);
  }
}

function emailLocalPart(email: string | undefined): string | undefined {
  if (!email) return undefined;
  const at = email.lastIndexOf('@');
  const local = foldPassword(at === -1 ? email : email.slice(0, at));
  return codePointLength(local) >= MIN_EMAIL_LOCAL_PART ? local : undefined;
}
