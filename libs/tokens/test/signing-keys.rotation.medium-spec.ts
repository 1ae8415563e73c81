/**
 * The signing key set under attack and under load.
 * - A database dump must not hand out the signing key: the private part is sealed under the
 *   key-encryption key and bound to its row.
 * - Two instances booting at once must not each create an active key (tokens would be signed
 *   by a key the other instance never loaded).
 * - A compromised key must be replaceable at once (manual rotation) without logging everyone
 *   out, and must stop verifying once its last token has expired.
 * - Scheduled rotation must publish the next key before it signs, so verifiers caching JWKS
 *   never meet an unknown kid; and every instance must follow a rotation made on another.
 */
import { randomBytes } from 'node:crypto';
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { SecretBox } from '@identity/crypto';
import {
  createTestDatabase,
  ManualClock,
  TEST_REDIS_URL,
  type TestDatabase,
  uniqueKvPrefix,
} from '@identity/testing';
import { TokensError } from '../src/token.errors';
import {
  eventually,
  startTokensApp,
  TEST_ISSUER,
  type TokensTestApp,
  type TokensTestAppOptions,
} from './tokens-test-app';

const user = { userId: 'u-1', sessionId: 's-1', roles: ['user'], amr: ['pwd'] };

async function activeKids(app: TokensTestApp): Promise<string[]> {
  const rows = await app.repository.listUsable(new Date());
  return rows.filter((row) => row.status === 'active').map((row) => row.kid);
}

function kidOf(token: string): string | undefined {
  return decodeProtectedHeader(token).kid;
}

describe('signing keys', () => {
  const databases: TestDatabase[] = [];
  const apps: TokensTestApp[] = [];

  async function freshDatabase(label: string): Promise<TestDatabase> {
    const db = await createTestDatabase(label);
    databases.push(db);
    return db;
  }

  async function start(options: TokensTestAppOptions): Promise<TokensTestApp> {
    const app = await startTokensApp(options);
    apps.push(app);
    return app;
  }

  afterAll(async () => {
    for (const app of apps) await app.close();
    for (const db of databases) await db.drop();
  });

  describe('first boot', () => {
    let db: TestDatabase;
    let first: TokensTestApp;
    let second: TokensTestApp;

    beforeAll(async () => {
      db = await freshDatabase('tokens_boot');
      [first, second] = await Promise.all([
        start({ databaseUrl: db.url }),
        start({ databaseUrl: db.url }),
      ]);
    });

    it('creates exactly one active key even when two instances boot at once', async () => {
      const kids = await activeKids(first);
      expect(kids).toHaveLength(1);
      expect(first.keys.signingKey().kid).toBe(kids[0]);
      expect(second.keys.signingKey().kid).toBe(kids[0]);
      const initial = [...first.rotations, ...second.rotations];
      expect(initial.map((e) => e.payload)).toEqual([
        { kid: kids[0], previousKid: undefined, reason: 'initial' },
      ]);
    });

    it('a restart reuses the stored key instead of creating another', async () => {
      const again = await start({ databaseUrl: db.url });
      expect(again.keys.signingKey().kid).toBe(first.keys.signingKey().kid);
      expect(again.rotations).toEqual([]);
    });

    it('stores the private key sealed under the key-encryption key, bound to its kid', async () => {
      const kid = first.keys.signingKey().kid;
      const row = await first.repository.findByKid(kid);
      expect(row).not.toBeNull();
      const box = new SecretBox(first.config.secrets.keyEncryptionKey);
      const privateJwk = JSON.parse(box.decryptString(row!.privateKeyEnc, kid)) as { d: string };
      expect(privateJwk.d).toEqual(expect.any(String));
      expect(row!.privateKeyEnc).not.toContain(privateJwk.d);
      expect(row!.privateKeyEnc).not.toContain('PRIVATE KEY');
      expect(row!.kekId).toBe(box.kekId);
      expect(JSON.stringify(row!.publicJwk)).not.toContain(privateJwk.d);
      expect(Object.keys(row!.publicJwk).sort()).toEqual([
        'alg',
        'crv',
        'kid',
        'kty',
        'use',
        'x',
        'y',
      ]);
      // Another key-encryption key cannot open it; neither can another row's aad.
      expect(() => new SecretBox(randomBytes(32)).decrypt(row!.privateKeyEnc, kid)).toThrow();
      expect(() => box.decrypt(row!.privateKeyEnc, 'another-kid')).toThrow();
    });

    it('refuses to boot with another key-encryption key rather than sign with nothing', async () => {
      const otherKek = randomBytes(32).toString('base64');
      const boot = startTokensApp({ databaseUrl: db.url, env: { KEY_ENCRYPTION_KEY: otherKek } });
      await expect(boot).rejects.toBeInstanceOf(TokensError);
      await expect(boot).rejects.toMatchObject({ code: 'tokens.signing_key_unreadable' });
    });
  });

  describe('manual (emergency) rotation', () => {
    let app: TokensTestApp;

    beforeAll(async () => {
      app = await start({ databaseUrl: (await freshDatabase('tokens_manual')).url });
    });

    it('signs with the new key at once; old tokens verify until the old key expires', async () => {
      const oldKid = app.keys.signingKey().kid;
      const before = await app.tokens.mint(user);
      const startedAt = Date.now();

      const newKid = await app.keys.rotate('manual');

      expect(newKid).not.toBe(oldKid);
      const after = await app.tokens.mint(user);
      expect(kidOf(after.token)).toBe(newKid);
      expect(await app.tokens.verify(before.token)).toMatchObject({ ok: true });
      expect(await app.tokens.verify(after.token)).toMatchObject({ ok: true });
      expect(
        app.keys
          .jwks()
          .keys.map((k) => k.kid)
          .sort(),
      ).toEqual([oldKid, newKid].sort());
      expect(await activeKids(app)).toEqual([newKid]);
      expect(app.rotations.at(-1)?.payload).toEqual({
        kid: newKid,
        previousKid: oldKid,
        reason: 'manual',
      });

      const old = await app.repository.findByKid(oldKid);
      expect(old?.status).toBe('retired');
      const window = (app.config.jwt.accessTtl + 5) * 1000;
      expect(old!.verifyUntil!.getTime()).toBeGreaterThanOrEqual(startedAt + window - 1_000);
      expect(old!.verifyUntil!.getTime()).toBeLessThanOrEqual(Date.now() + window);

      // Once its window has passed, the old key leaves JWKS and its tokens die.
      await app.repository.setVerifyUntil(oldKid, new Date(Date.now() - 1_000));
      await app.keys.refresh();
      expect(app.keys.jwks().keys.map((k) => k.kid)).toEqual([newKid]);
      expect(await app.tokens.verify(before.token)).toEqual({ ok: false, reason: 'unknown_key' });
      expect(await app.tokens.verify(after.token)).toMatchObject({ ok: true });
    });

    it('withdraws a key that was published ahead, since it may share the compromise', async () => {
      const pendingKid = await app.keys.rotate('scheduled');
      expect(app.keys.jwks().keys.map((k) => k.kid)).toContain(pendingKid);
      const newKid = await app.keys.rotate('manual');
      const kids = app.keys.jwks().keys.map((k) => k.kid);
      expect(kids).toContain(newKid);
      expect(kids).not.toContain(pendingKid);
    });
  });

  describe('scheduled rotation', () => {
    // Every day, publishing the next key an hour ahead; time is moved, not slept through.
    const clock = new ManualClock();
    let app: TokensTestApp;

    beforeAll(async () => {
      app = await start({
        databaseUrl: (await freshDatabase('tokens_scheduled')).url,
        env: { KEY_ROTATION_INTERVAL: '86400', KEY_PUBLISH_AHEAD: '3600' },
        clock,
      });
    });

    it('publishes the next key in JWKS before it signs, then promotes it', async () => {
      const firstKid = app.keys.signingKey().kid;
      const firstActivation = (await app.repository.findByKid(firstKid))!.activatesAt.getTime();
      await app.keys.maintain();
      expect(app.keys.jwks().keys).toHaveLength(1);

      // One second before rotationInterval - publishAhead: nothing to publish yet.
      clock.set(new Date(firstActivation + (86_400 - 3_600 - 1) * 1000));
      await app.keys.maintain();
      expect(app.keys.jwks().keys).toHaveLength(1);

      // At rotationInterval - publishAhead after activation, the next key is published...
      clock.advance(1);
      await app.keys.maintain();
      const jwks = app.keys.jwks();
      expect(jwks.keys).toHaveLength(2);
      const nextKid = jwks.keys.map((k) => k.kid).find((kid) => kid !== firstKid)!;
      const next = await app.repository.findByKid(nextKid);
      expect(next?.status).toBe('pending');
      expect(next!.activatesAt.getTime()).toBe(firstActivation + 86_400_000);
      // ...but does not sign yet; a second call keeps that one key rather than adding another.
      clock.advance(3_600 - 300);
      const early = await app.tokens.mint(user);
      expect(kidOf(early.token)).toBe(firstKid);
      expect(await app.keys.rotate('scheduled')).toBe(nextKid);
      // A verifier that fetched JWKS now will know the next key when it starts signing.
      const cachedJwks = createLocalJWKSet(jwks);

      clock.advance(299);
      await app.keys.maintain();
      expect(app.keys.signingKey().kid).toBe(firstKid);
      clock.advance(1);
      await app.keys.maintain();
      expect(app.keys.signingKey().kid).toBe(nextKid);
      const late = await app.tokens.mint(user);
      expect(kidOf(late.token)).toBe(nextKid);
      await expect(
        jwtVerify(late.token, cachedJwks, {
          issuer: TEST_ISSUER,
          audience: 'identity',
          currentDate: clock.now(),
        }),
      ).resolves.toBeDefined();
      // The retired key still verifies the tokens it signed while they live.
      expect(await app.tokens.verify(early.token)).toMatchObject({ ok: true });
      expect((await app.repository.findByKid(firstKid))?.status).toBe('retired');
      expect(app.rotations.map((e) => e.payload)).toEqual([
        { kid: firstKid, previousKid: undefined, reason: 'initial' },
        { kid: nextKid, previousKid: firstKid, reason: 'scheduled' },
      ]);
    });
  });

  describe('several instances', () => {
    let first: TokensTestApp;
    let second: TokensTestApp;

    beforeAll(async () => {
      const db = await freshDatabase('tokens_instances');
      const shared = {
        databaseUrl: db.url,
        redisUrl: TEST_REDIS_URL,
        keyPrefix: uniqueKvPrefix('tokens'),
      };
      first = await start(shared);
      second = await start(shared);
    });

    it('an instance follows a rotation made on another (keys.changed)', async () => {
      const pendingKid = await first.keys.rotate('scheduled');
      await eventually(() => second.keys.jwks().keys.some((k) => k.kid === pendingKid));

      const newKid = await first.keys.rotate('manual');
      await eventually(() => second.keys.signingKey().kid === newKid);
      const minted = await second.tokens.mint(user);
      expect(kidOf(minted.token)).toBe(newKid);
      expect(await first.tokens.verify(minted.token)).toMatchObject({ ok: true });
      expect(
        second.keys
          .jwks()
          .keys.map((k) => k.kid)
          .sort(),
      ).toEqual(
        first.keys
          .jwks()
          .keys.map((k) => k.kid)
          .sort(),
      );
    });
  });
});
