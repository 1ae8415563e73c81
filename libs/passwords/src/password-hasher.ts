import { randomBytes } from 'node:crypto';
import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import * as argon2 from 'argon2';
import { InjectConfig, type AppConfig } from '@identity/config';
import { normalizePassword } from './password-normalization';
import { PasswordHashingOverloadedError } from './passwords.errors';
import { WorkSlots, WorkSlotsFullError } from './work-slots';

/** A new hash and the version of the pepper it was made with; store both. */
export interface PasswordHash {
  /** PHC string (`$argon2id$v=19$m=...,t=...,p=...$salt$hash`). */
  hash: string;
  pepperVersion: number;
}

/** A stored hash with its pepper version, and the password a user just typed. */
export interface PasswordVerificationInput {
  hash: string;
  pepperVersion: number;
  password: string;
}

/** Outcome of {@link PasswordHasher.verify}. */
export interface PasswordVerification {
  valid: boolean;
  /**
   * The password was right but its hash is outdated (older pepper or argon2 parameters):
   * hash the password again and store the new hash. Never true when `valid` is false.
   */
  needsRehash: boolean;
}

/** How busy password hashing is (for metrics). */
export interface PasswordHashingLoad {
  /** Hashes waiting for a slot. */
  queued: number;
  /** Hashes computing now. */
  inFlight: number;
  /** Hashes refused because the queue was full, since boot. */
  shedTotal: number;
  /** `ARGON2_QUEUE_LIMIT`. */
  queueLimit: number;
}

/**
 * Hashes and verifies passwords with argon2id and a pepper (argon2's `secret`), so a stolen
 * database alone cannot be attacked offline. All work runs on the libuv threadpool through
 * argon2's async API, never on the event loop. Passwords are never logged.
 */
@Injectable()
export class PasswordHasher implements OnModuleInit {
  private readonly logger = new Logger(PasswordHasher.name);
  private dummyHash?: Promise<string>;
  /**
   * argon2 is CPU-bound: one hash per core at most (`ARGON2_CONCURRENCY`); at most
   * `ARGON2_QUEUE_LIMIT` more wait, and the rest are refused at once with
   * {@link PasswordHashingOverloadedError}. Measured on the 2-vCPU development machine with the
   * production parameters (m=19456, t=2, p=1): a verify takes 27–29 ms and two slots drain
   * 58–75 a second, so the default 32 waiters per slot bound the worst wait to about 1 s
   * (1.5 s on a busy host). Without the bound a flood of logins (a credential-stuffing run)
   * queued without end, and every real user waited behind it until their clients timed out.
   */
  private readonly slots: WorkSlots;

  constructor(@InjectConfig() private readonly config: AppConfig) {
    const { concurrency, queueLimit } = config.passwords.argon2;
    this.slots = new WorkSlots(concurrency, { maxQueued: queueLimit });
  }

  /** Queue depth, hashes in flight and hashes shed so far (for metrics). */
  get load(): PasswordHashingLoad {
    return {
      queued: this.slots.queued,
      inFlight: this.slots.inFlight,
      shedTotal: this.slots.shedTotal,
      queueLimit: this.config.passwords.argon2.queueLimit,
    };
  }

  /** Computes the dummy hash at boot so the first unknown-email login is not slower than the rest. */
  async onModuleInit(): Promise<void> {
    await this.getDummyHash();
  }

  /**
   * Hashes a (NFKC-normalised) password with the configured argon2id parameters and the
   * current pepper.
   * @throws Error from argon2 when the configured parameters are out of its range.
   * @throws PasswordHashingOverloadedError when the hashing queue is full (nothing computed).
   */
  async hash(password: string): Promise<PasswordHash> {
    const { pepper } = this.config.secrets;
    const hash = await this.compute(() =>
      argon2.hash(normalizePassword(password), { ...this.hashOptions(), secret: pepper.secret }),
    );
    return { hash, pepperVersion: pepper.version };
  }

  /**
   * Checks a password against a stored hash, using the pepper the hash was made with (the
   * current one or a previous one). A hash whose pepper version is no longer configured cannot
   * verify: the answer is `valid: false`, after the same argon2 work as a real check.
   * @throws Error from argon2 when `hash` is not an argon2 PHC string (corrupt stored data,
   *   which must not be mistaken for a wrong password).
   * @throws PasswordHashingOverloadedError when the hashing queue is full (nothing computed).
   */
  async verify({
    hash,
    pepperVersion,
    password,
  }: PasswordVerificationInput): Promise<PasswordVerification> {
    const pepper = this.pepperFor(pepperVersion);
    if (!pepper) {
      this.logger.warn(
        `A stored password hash uses pepper version ${pepperVersion}, which is not configured (current or PASSWORD_PREVIOUS_PEPPERS); it cannot verify`,
      );
      // Same cost as a real verify, so this answer is not faster than a wrong password.
      await this.verifyDummy(password);
      return { valid: false, needsRehash: false };
    }
    const valid = await this.compute(() =>
      argon2.verify(hash, normalizePassword(password), { secret: pepper }),
    );
    if (!valid) return { valid: false, needsRehash: false };
    const needsRehash =
      pepperVersion !== this.config.secrets.pepper.version ||
      argon2.needsRehash(hash, this.rehashOptions());
    return { valid: true, needsRehash };
  }

  /**
   * Does the argon2 verify work of a real login, against a dummy hash, and discards the result.
   * Call it when the email is unknown: answering such a login without hashing would be much
   * faster than a wrong password for an existing account, and that difference tells an
   * attacker which emails have accounts (better-auth's email sign-in does the same).
   * @throws Error from argon2 only if the configured parameters are out of its range.
   * @throws PasswordHashingOverloadedError when the hashing queue is full (nothing computed).
   */
  async verifyDummy(password: string): Promise<void> {
    const dummy = await this.getDummyHash();
    const secret = this.config.secrets.pepper.secret;
    await this.compute(() => argon2.verify(dummy, normalizePassword(password), { secret }));
  }

  /**
   * Verifies `password` against an account's stored hash, or, for an account without a password
   * (federated only), does the same argon2 work against the dummy hash and answers invalid: the
   * answer and its timing never tell whether an account has a password.
   */
  async verifyStored(stored: PasswordHash | null, password: string): Promise<PasswordVerification> {
    if (!stored) {
      await this.verifyDummy(password);
      return { valid: false, needsRehash: false };
    }
    return this.verify({ hash: stored.hash, pepperVersion: stored.pepperVersion, password });
  }

  private getDummyHash(): Promise<string> {
    // A random password that nobody knows, hashed once at the configured parameters so a dummy
    // verify costs exactly what a real one does. Forgotten on failure, so the next call retries.
    this.dummyHash ??= this.compute(() =>
      argon2.hash(randomBytes(32).toString('base64url'), {
        ...this.hashOptions(),
        secret: this.config.secrets.pepper.secret,
      }),
    ).catch((error: unknown) => {
      this.dummyHash = undefined;
      throw error;
    });
    return this.dummyHash;
  }

  /** Runs argon2 work in a slot; a full queue becomes the typed overload error. */
  private async compute<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await this.slots.run(work);
    } catch (err) {
      if (err instanceof WorkSlotsFullError) {
        throw new PasswordHashingOverloadedError(Math.max(1, Math.ceil(err.retryAfterMs / 1000)));
      }
      throw err;
    }
  }

  private pepperFor(version: number): Buffer | undefined {
    const { pepper, previousPeppers } = this.config.secrets;
    if (version === pepper.version) return pepper.secret;
    return previousPeppers.find((p) => p.version === version)?.secret;
  }

  private rehashOptions(): { memoryCost: number; timeCost: number; parallelism: number } {
    const { memoryCost, timeCost, parallelism } = this.config.passwords.argon2;
    return { memoryCost, timeCost, parallelism };
  }

  private hashOptions(): argon2.HashOptions {
    return { type: argon2.argon2id, ...this.rehashOptions() };
  }
}
