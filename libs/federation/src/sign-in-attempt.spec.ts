import { SecretBox } from '@identity/crypto';
import { AttemptSeal, ATTEMPT_TTL_SECONDS, type SignInAttempt } from './sign-in-attempt';
import { FederationError } from './federation.errors';

const kek = Buffer.alloc(32, 3);
const attempt = {
  provider: 'google',
  state: 'state-1',
  verifier: 'verifier-1',
  nonce: 'nonce-1',
  redirectTo: 'https://app.example.com/done',
  intent: 'login' as const,
};

function reasonOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    if (err instanceof FederationError && err.code === 'federation.failed') return err.reason;
    throw err;
  }
  throw new Error('expected a FederationError');
}

describe('AttemptSeal', () => {
  let now = Date.parse('2026-01-01T00:00:00Z');
  const seal = new AttemptSeal(kek, () => now);

  it('opens what it sealed, with a 10-minute expiry, and shows nothing of it', () => {
    const sealed = seal.seal(attempt);
    expect(sealed.maxAgeSeconds).toBe(600);
    for (const secret of ['state-1', 'verifier-1', 'nonce-1', 'app.example.com'])
      expect(sealed.value).not.toContain(secret);
    expect(seal.open(sealed.value, 'google')).toEqual<SignInAttempt>({
      ...attempt,
      expiresAt: now / 1000 + ATTEMPT_TTL_SECONDS,
    });
  });

  it('refuses a missing cookie', () => {
    expect(reasonOf(() => seal.open(undefined, 'google'))).toBe('state_missing');
    expect(reasonOf(() => seal.open('', 'google'))).toBe('state_missing');
  });

  it('refuses an altered, foreign-key or other-provider seal', () => {
    const { value } = seal.seal(attempt);
    const parts = value.split('.');
    const ct = Buffer.from(parts[4]!, 'base64url');
    ct[0] = ct[0]! ^ 1;
    parts[4] = ct.toString('base64url');
    expect(reasonOf(() => seal.open(parts.join('.'), 'google'))).toBe('state_invalid');
    expect(reasonOf(() => new AttemptSeal(Buffer.alloc(32, 4)).open(value, 'google'))).toBe(
      'state_invalid',
    );
    expect(reasonOf(() => seal.open(value, 'github'))).toBe('state_invalid');
    expect(reasonOf(() => seal.open('not a seal', 'google'))).toBe('state_invalid');
  });

  it('refuses a seal from the same key used for another purpose', () => {
    // The key is derived for this purpose: a SecretBox under the raw KEK does not open here.
    const foreign = new SecretBox(kek).encrypt(
      JSON.stringify({ ...attempt, expiresAt: 2e9 }),
      'federation-state:google',
    );
    expect(reasonOf(() => seal.open(foreign, 'google'))).toBe('state_invalid');
  });

  it('refuses it from the 600th second on', () => {
    const { value } = seal.seal(attempt);
    const start = now;
    now = start + 599_000;
    expect(seal.open(value, 'google').state).toBe('state-1');
    expect(seal.secondsLeft(seal.open(value, 'google'))).toBe(1);
    now = start + 600_000;
    expect(reasonOf(() => seal.open(value, 'google'))).toBe('state_expired');
    now = start;
  });
});
