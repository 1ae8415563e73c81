/** Why the browser went to the provider: to sign in, or to link the identity to an account. */
export type SignInIntent = 'login' | 'link';

export const SIGN_IN_INTENTS: readonly SignInIntent[] = ['login', 'link'];

/**
 * What a provider vouches for, once the round trip is verified (state, PKCE, ID-token
 * signature/iss/aud/nonce/exp, or GitHub's API). An identity is keyed by (provider, subject);
 * the email is never a key. `emailVerified` is the provider's word: Google/OIDC
 * `email_verified`, GitHub a primary address marked verified (else `email` is null).
 */
export interface FederatedProfile {
  /** `google`, `github`, or the generic provider's `OIDC_NAME`. */
  provider: string;
  /** The provider's stable user id (GitHub: the numeric id as a string). */
  subject: string;
  email: string | null;
  emailVerified: boolean;
  name: string | null;
}

/** The query parameters the provider sent the browser back with (single values only). */
export type CallbackParams = Readonly<Record<string, string>>;
