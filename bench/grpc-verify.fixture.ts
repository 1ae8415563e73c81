import type { INestApplicationContext } from '@nestjs/common';
import { decodeProtectedHeader } from 'jose';
import { AccessService } from '@identity/access';
import type { AppConfig } from '@identity/config';
import { Database } from '@identity/database';
import { IpHasher } from '@identity/sessions';
import { SignInCore } from '@identity/signin';
import { UserRepository } from '@identity/users';
import { SigningKeyService } from '@identity/tokens';
import type { VerificationKeyInfo } from './grpc-verify';

/**
 * One user of a running platform with a live session: its access token, and the public key,
 * algorithm, issuer and audience that verify it (for the ceiling server). Made straight
 * through the repositories and the sign-in core, without the mail round trip.
 */
export async function benchUserToken(
  app: INestApplicationContext,
  config: AppConfig,
): Promise<{ token: string; key: VerificationKeyInfo }> {
  const get = <T>(type: abstract new (...args: never[]) => T): T =>
    app.get(type, { strict: false });
  const email = `bench.${Date.now().toString(36)}.${Math.random().toString(36).slice(2)}@example.test`;
  const pair = await get(Database).withTransaction(async (manager) => {
    const user = await get(UserRepository).create(
      { email, emailNormalized: email, password: null },
      manager,
    );
    await get(AccessService).grantDefaultRole(user.id, manager);
    return get(SignInCore).complete(manager, {
      userId: user.id,
      amr: ['pwd'],
      method: 'password',
      client: { ip: '127.0.0.1', userAgent: 'bench' },
      ipHash: get(IpHasher).hash('127.0.0.1'),
    });
  });
  const kid = decodeProtectedHeader(pair.accessToken).kid;
  const jwk = get(SigningKeyService)
    .jwks()
    .keys.find((k) => k.kid === kid);
  if (!jwk) throw new Error(`the signing key ${String(kid)} is not in the JWKS`);
  return {
    token: pair.accessToken,
    key: {
      jwk: { ...jwk },
      alg: jwk.alg,
      issuer: config.jwt.issuer,
      audience: config.jwt.audience,
    },
  };
}
