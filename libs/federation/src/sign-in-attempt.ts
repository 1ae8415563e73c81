import { z } from 'zod';
import { deriveKey, SecretBox } from '@identity/crypto';
import { FederationError } from './federation.errors';
import { SIGN_IN_INTENTS, type SignInIntent } from './federation.types';

/** Everything one browser round trip must remember between the start and the callback. */
export interface SignInAttempt {
  provider: string;
  /** The `state` sent to the provider; the callback's must equal it. */
  state: string;
  /** PKCE `code_verifier` (its S256 challenge went to the provider). */
  verifier: string;
  /** The `nonce` the ID token must carry (OIDC providers). */
  nonce: string;
  redirectTo: string;
  intent: SignInIntent;
  /**
   * With intent `link`: the account whose session started the attempt. The identity can only
   * ever be offered for linking to this account, so a code carried to someone else's browser
   * cannot link the sender's identity to the victim's account.
   */
  accountId?: string;
  /** Unix seconds. */
  expiresAt: number;
}

const attemptShape = z.object({
  provider: z.string().min(1),
  state: z.string().min(1),
  verifier: z.string().min(1),
  nonce: z.string().min(1),
  redirectTo: z.string().min(1),
  intent: z.enum(SIGN_IN_INTENTS as [SignInIntent, ...SignInIntent[]]),
  accountId: z.string().uuid().optional(),
  expiresAt: z.number().int(),
});

/** How long a started sign-in may take before its callback is refused. */
export const ATTEMPT_TTL_SECONDS = 600;

/**
 * Seals a {@link SignInAttempt} into an opaque cookie value: AES-256-GCM under a key derived
 * from KEY_ENCRYPTION_KEY for this purpose only, with the provider as associated data. The
 * browser can neither read it (the PKCE verifier and nonce stay secret) nor forge or alter it,
 * and a cookie sealed for one provider does not open at another's callback. The expiry is
 * inside the seal, so an old cookie replayed after its Max-Age is still refused.
 */
export class AttemptSeal {
  private readonly box: SecretBox;

  constructor(
    keyEncryptionKey: Buffer,
    /** Milliseconds since the epoch (the app's Clock). */
    private readonly now: () => number = Date.now,
  ) {
    this.box = new SecretBox(deriveKey(keyEncryptionKey, 'federation-state'));
  }

  seal(attempt: Omit<SignInAttempt, 'expiresAt'>): {
    value: string;
    attempt: SignInAttempt;
    maxAgeSeconds: number;
  } {
    const sealed: SignInAttempt = {
      ...attempt,
      expiresAt: Math.floor(this.now() / 1000) + ATTEMPT_TTL_SECONDS,
    };
    return {
      value: this.box.encrypt(JSON.stringify(sealed), aad(attempt.provider)),
      attempt: sealed,
      maxAgeSeconds: ATTEMPT_TTL_SECONDS,
    };
  }

  /**
   * @throws FederationError `federation.failed` with reason `state_missing` (no cookie),
   *   `state_invalid` (forged, altered, sealed with another key or for another provider) or
   *   `state_expired`.
   */
  open(value: string | undefined, provider: string): SignInAttempt {
    if (!value) throw FederationError.failed('state_missing');
    let attempt: SignInAttempt;
    try {
      const parsed = attemptShape.safeParse(
        JSON.parse(this.box.decryptString(value, aad(provider))),
      );
      if (!parsed.success || parsed.data.provider !== provider) throw new Error('bad shape');
      attempt = parsed.data;
    } catch (err) {
      throw FederationError.failed('state_invalid', err);
    }
    if (attempt.expiresAt <= Math.floor(this.now() / 1000))
      throw FederationError.failed('state_expired');
    return attempt;
  }

  /** Seconds the attempt has left (at least 1), e.g. to remember it was used. */
  secondsLeft(attempt: SignInAttempt): number {
    return Math.max(1, attempt.expiresAt - Math.floor(this.now() / 1000));
  }
}

function aad(provider: string): string {
  return `federation-state:${provider}`;
}
