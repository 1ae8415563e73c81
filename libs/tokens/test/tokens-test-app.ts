import { Test, type TestingModule } from '@nestjs/testing';
import { exportJWK, generateKeyPair, calculateJwkThumbprint, type CryptoKey } from 'jose';
import { AuditModule, EventBus, type IdentityEvent } from '@identity/audit';
import { type AppConfig, ConfigModule, loadConfig, type SigningAlg } from '@identity/config';
import { SecretBox } from '@identity/crypto';
import { DatabaseModule } from '@identity/database';
import { KV_STORE, KvModule, type KvStore } from '@identity/kv';
import { AccessDenylist } from '../src/access-denylist';
import { AccessTokenService } from '../src/access-token.service';
import { Authenticator } from '../src/authenticator';
import type { SigningKeyStatus } from '../src/signing-keys.table';
import { toPublicSigningJwk } from '../src/signing-key.material';
import { SigningKeyRepository } from '../src/signing-key.repository';
import { SigningKeyService } from '../src/signing-key.service';
import { TokensModule } from '../src/tokens.module';
import { type Clock, ClockModule } from '@identity/kernel';

/** Issuer of every test app, so tests can assert it. */
export const TEST_ISSUER = 'https://id.test.example';

/** One booted instance of the tokens context, as the app would wire it. */
export interface TokensTestApp {
  module: TestingModule;
  config: AppConfig;
  keys: SigningKeyService;
  tokens: AccessTokenService;
  denylist: AccessDenylist;
  authenticator: Authenticator;
  repository: SigningKeyRepository;
  kv: KvStore;
  /** `key.rotated` events this instance committed, in order. */
  rotations: IdentityEvent<'key.rotated'>[];
  close(): Promise<void>;
}

export interface TokensTestAppOptions {
  /** The time the app goes by; the system clock by default. */
  clock?: Clock;
  databaseUrl: string;
  /** Extra environment (JWT_ALG, ACCESS_TOKEN_TTL, KEY_* ...). */
  env?: Record<string, string>;
  /** A Redis URL shares the kv (and `keys.changed`) between apps; unset = private memory kv. */
  redisUrl?: string;
  keyPrefix?: string;
}

/** Boots ConfigModule + DatabaseModule + KvModule + AuditModule + TokensModule, like the app. */
export async function startTokensApp(options: TokensTestAppOptions): Promise<TokensTestApp> {
  const config = loadConfig({
    NODE_ENV: 'test',
    DATABASE_URL: options.databaseUrl,
    DATABASE_MIGRATIONS_RUN: 'false',
    DATABASE_POOL_SIZE: '4',
    JWT_ISSUER: TEST_ISSUER,
    ...options.env,
  });
  const module = await Test.createTestingModule({
    imports: [
      ClockModule.forRoot(options.clock),
      ConfigModule.forRoot(config),
      DatabaseModule.forRoot({ migrations: [] }),
      KvModule.forRoot({ redisUrl: options.redisUrl, keyPrefix: options.keyPrefix ?? 'test:' }),
      AuditModule,
      TokensModule,
    ],
  }).compile();
  const rotations: IdentityEvent<'key.rotated'>[] = [];
  // Registered before init, so the first boot's 'initial' event is seen too.
  module.get(EventBus).onCommitted('key.rotated', (event) => {
    rotations.push(event as IdentityEvent<'key.rotated'>);
  });
  try {
    await module.init();
  } catch (err) {
    await module.close();
    throw err;
  }
  return {
    module,
    config,
    keys: module.get(SigningKeyService),
    tokens: module.get(AccessTokenService),
    denylist: module.get(AccessDenylist),
    authenticator: module.get(Authenticator),
    repository: module.get(SigningKeyRepository),
    kv: module.get<KvStore>(KV_STORE),
    rotations,
    close: () => module.close(),
  };
}

/** A key the test holds the private part of, registered in the key set like any other. */
export interface RegisteredTestKey {
  kid: string;
  alg: SigningAlg;
  privateKey: CryptoKey;
  publicKey: CryptoKey;
}

/**
 * Inserts a key through the real repository (default: `pending`, activating in a year, so
 * it verifies but never signs) and refreshes the app's cache. Lets tests sign crafted tokens
 * with a key the service trusts.
 */
export async function registerTestKey(
  app: TokensTestApp,
  options: { alg?: SigningAlg; status?: SigningKeyStatus } = {},
): Promise<RegisteredTestKey> {
  const alg = options.alg ?? 'ES256';
  const pair = await generateKeyPair(alg, { extractable: true });
  const publicMembers = await exportJWK(pair.publicKey);
  const kid = await calculateJwkThumbprint(publicMembers);
  const box = new SecretBox(app.config.secrets.keyEncryptionKey);
  const now = new Date();
  await app.repository.insert({
    kid,
    alg,
    publicJwk: toPublicSigningJwk(publicMembers, kid, alg),
    privateKeyEnc: box.encrypt(JSON.stringify(await exportJWK(pair.privateKey)), kid),
    kekId: box.kekId,
    status: options.status ?? 'pending',
    createdAt: now,
    activatesAt: new Date(now.getTime() + 365 * 86_400_000),
    retiredAt: null,
    verifyUntil: null,
  });
  await app.keys.refresh();
  return { kid, alg, privateKey: pair.privateKey, publicKey: pair.publicKey };
}

/** Polls `check` until it holds (cross-instance propagation), failing after `timeoutMs`. */
export async function eventually(check: () => boolean, timeoutMs = 2_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await sleep(20);
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Seconds since the epoch, as JWT claims count. */
export function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}
