import { decodeProtectedHeader, type JWK } from 'jose';
import type { TokenCheck } from '../child/jose-loop.role';
import { BENCH_APP_URL, BENCH_AUDIENCE } from '../lib/app-fleet';

/**
 * How the app verifies `token`: its key from the app's own JWKS (by `kid`), algorithm,
 * issuer and audience, for the ceilings that verify the same token without the app.
 * @throws Error when the JWKS does not hold the token's key.
 */
export async function tokenCheckFor(appUrl: string, token: string): Promise<TokenCheck> {
  const { kid, alg } = decodeProtectedHeader(token);
  const res = await fetch(`${appUrl}/.well-known/jwks.json`, {
    signal: AbortSignal.timeout(10_000),
  });
  const { keys } = (await res.json()) as { keys: (JWK & { kid?: string })[] };
  const jwk = keys.find((k) => k.kid === kid);
  if (!jwk || !alg) throw new Error(`key ${String(kid)} not in the JWKS`);
  return { token, jwk, alg, issuer: BENCH_APP_URL, audience: BENCH_AUDIENCE };
}
