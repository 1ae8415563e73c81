import { importJWK, type JWK, jwtVerify } from 'jose';
import type { ChildFactory } from './main';
import { measureLoop } from './loop-run';
import type { LoopRun } from './protocol';

/** How to verify the app's access token the way the app does (key, alg, iss, aud, typ). */
export interface TokenCheck {
  token: string;
  jwk: JWK;
  alg: string;
  issuer: string;
  audience: string;
}

export type JoseRun = LoopRun & TokenCheck;

/** Verifies `check.token` with jose, with the claims checks the app's verify makes. */
export async function tokenVerifier(check: Omit<TokenCheck, 'token'>) {
  const key = await importJWK(check.jwk, check.alg);
  return (token: string) =>
    jwtVerify(token, key, {
      algorithms: [check.alg],
      typ: 'at+jwt',
      issuer: check.issuer,
      audience: check.audience,
      requiredClaims: ['sub', 'jti', 'iat', 'nbf', 'exp'],
    });
}

/** Ceiling of the token check itself: jose verifies of the app's own token, nothing else. */
export const startJoseLoop: ChildFactory = (_args, meter) =>
  Promise.resolve({
    info: {},
    commands: {
      run: async (args) => {
        const run = args as JoseRun;
        const verify = await tokenVerifier(run);
        return measureLoop(meter, run, async () => {
          await verify(run.token);
        });
      },
    },
    close: () => Promise.resolve(),
  });
