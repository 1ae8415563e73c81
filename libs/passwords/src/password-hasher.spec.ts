import { Logger } from '@nestjs/common';
import { loadConfig, type AppConfig } from '@identity/config';
import { PasswordHasher } from './password-hasher';
import { PasswordHashingOverloadedError } from './passwords.errors';

const pepperA = Buffer.alloc(32, 0xa1).toString('base64');
const pepperB = Buffer.alloc(32, 0xb2).toString('base64');

/** Cheap argon2 parameters: the real algorithm, at test speed. */
function config(env: Record<string, string> = {}): AppConfig {
  return loadConfig({
    NODE_ENV: 'test',
    ARGON2_MEMORY_KIB: '1024',
    ARGON2_TIME_COST: '1',
    ARGON2_PARALLELISM: '1',
    PASSWORD_PEPPER: pepperA,
    ...env,
  });
}

function phcParams(hash: string): Record<string, string> {
  const params = hash.split('$')[3] ?? '';
  return Object.fromEntries(params.split(',').map((kv) => kv.split('=') as [string, string]));
}

async function medianMs(run: () => Promise<unknown>): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < 5; i++) {
    const started = performance.now();
    await run();
    times.push(performance.now() - started);
  }
  return times.sort((a, b) => a - b)[2]!;
}

describe('PasswordHasher', () => {
  const password = 'correct horse battery staple';
  let warn: jest.SpyInstance;

  beforeEach(() => {
    warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
  });
  afterEach(() => warn.mockRestore());

  it('round-trips: the right password verifies, with no rehash needed', async () => {
    const hasher = new PasswordHasher(config());
    const stored = await hasher.hash(password);
    await expect(hasher.verify({ ...stored, password })).resolves.toEqual({
      valid: true,
      needsRehash: false,
    });
  });

  it('rejects a wrong password', async () => {
    const hasher = new PasswordHasher(config());
    const stored = await hasher.hash(password);
    await expect(hasher.verify({ ...stored, password: `${password}!` })).resolves.toEqual({
      valid: false,
      needsRehash: false,
    });
  });

  it('stores an argon2id PHC string with the configured m, t and p, and the pepper version', async () => {
    const hasher = new PasswordHasher(
      config({ ARGON2_MEMORY_KIB: '2048', ARGON2_TIME_COST: '2', PASSWORD_PEPPER_VERSION: '3' }),
    );
    const stored = await hasher.hash(password);
    expect(stored.hash.startsWith('$argon2id$v=19$')).toBe(true);
    expect(phcParams(stored.hash)).toEqual({ m: '2048', t: '2', p: '1' });
    expect(stored.hash).not.toContain(password);
    expect(stored.pepperVersion).toBe(3);
  });

  it('salts: the same password hashes differently each time', async () => {
    const hasher = new PasswordHasher(config());
    const [a, b] = await Promise.all([hasher.hash(password), hasher.hash(password)]);
    expect(a.hash).not.toBe(b.hash);
  });

  it('uses the pepper: a hash made with pepper A does not verify with pepper B', async () => {
    const stored = await new PasswordHasher(config()).hash(password);
    const other = new PasswordHasher(config({ PASSWORD_PEPPER: pepperB }));
    await expect(other.verify({ ...stored, password })).resolves.toEqual({
      valid: false,
      needsRehash: false,
    });
  });

  it('verifies with a previous pepper after rotation and asks for a rehash', async () => {
    const stored = await new PasswordHasher(config()).hash(password);
    expect(stored.pepperVersion).toBe(1);
    const rotated = new PasswordHasher(
      config({
        PASSWORD_PEPPER: pepperB,
        PASSWORD_PEPPER_VERSION: '2',
        PASSWORD_PREVIOUS_PEPPERS: `1:${pepperA}`,
      }),
    );
    await expect(rotated.verify({ ...stored, password })).resolves.toEqual({
      valid: true,
      needsRehash: true,
    });
    await expect(rotated.verify({ ...stored, password: 'not it at all' })).resolves.toEqual({
      valid: false,
      needsRehash: false,
    });

    const rehashed = await rotated.hash(password);
    expect(rehashed.pepperVersion).toBe(2);
    await expect(rotated.verify({ ...rehashed, password })).resolves.toEqual({
      valid: true,
      needsRehash: false,
    });
  });

  it('asks for a rehash when the argon2 parameters changed', async () => {
    const stored = await new PasswordHasher(config()).hash(password);
    const stronger = new PasswordHasher(config({ ARGON2_TIME_COST: '2' }));
    await expect(stronger.verify({ ...stored, password })).resolves.toEqual({
      valid: true,
      needsRehash: true,
    });
    const moreMemory = new PasswordHasher(config({ ARGON2_MEMORY_KIB: '2048' }));
    await expect(moreMemory.verify({ ...stored, password })).resolves.toEqual({
      valid: true,
      needsRehash: true,
    });
  });

  it('treats an unknown pepper version as invalid and warns without the password', async () => {
    const hasher = new PasswordHasher(config());
    const stored = await hasher.hash(password);
    await expect(hasher.verify({ ...stored, pepperVersion: 7, password })).resolves.toEqual({
      valid: false,
      needsRehash: false,
    });
    expect(warn).toHaveBeenCalledTimes(1);
    const logged = JSON.stringify(warn.mock.calls);
    expect(logged).toContain('7');
    expect(logged).not.toContain(password);
    expect(logged).not.toContain(stored.hash);
  });

  it('normalises with NFKC, so a composed and a decomposed accent are the same password', async () => {
    const hasher = new PasswordHasher(config());
    const stored = await hasher.hash('caf\u00e9 au lait, s\u2019il vous pla\u00eet');
    await expect(
      hasher.verify({ ...stored, password: 'cafe\u0301 au lait, s\u2019il vous plai\u0302t' }),
    ).resolves.toMatchObject({ valid: true });
  });

  it('rejects a stored hash that is not a PHC string instead of calling it a wrong password', async () => {
    const hasher = new PasswordHasher(config());
    await expect(
      hasher.verify({ hash: 'not-a-hash', pepperVersion: 1, password }),
    ).rejects.toThrow();
  });

  it('verifyDummy does real argon2 work and reveals nothing', async () => {
    // Parameters heavy enough that a real verify is measurable; timings are not compared
    // strictly, only that work happened.
    const hasher = new PasswordHasher(config({ ARGON2_MEMORY_KIB: '8192', ARGON2_TIME_COST: '2' }));
    await hasher.onModuleInit();
    const started = performance.now();
    await expect(hasher.verifyDummy(password)).resolves.toBeUndefined();
    expect(performance.now() - started).toBeGreaterThan(0);
    await expect(hasher.verifyDummy('')).resolves.toBeUndefined();

    // Loose on purpose (CI shares cores): a no-op would be orders of magnitude faster than a
    // real verify, while the dummy costs about the same.
    const stored = await hasher.hash(password);
    const dummy = await medianMs(() => hasher.verifyDummy(password));
    const real = await medianMs(() => hasher.verify({ ...stored, password: 'wrong password' }));
    expect(dummy).toBeGreaterThan(real / 5);
  });

  it('sheds work beyond ARGON2_QUEUE_LIMIT at once with passwords.overloaded and a retry-after', async () => {
    // Heavy enough that the first hash is still running when the others arrive.
    const hasher = new PasswordHasher(
      config({
        ARGON2_MEMORY_KIB: '8192',
        ARGON2_TIME_COST: '3',
        ARGON2_CONCURRENCY: '1',
        ARGON2_QUEUE_LIMIT: '1',
      }),
    );
    await hasher.onModuleInit();
    const stored = await hasher.hash(password);
    const outcomes = await Promise.allSettled([
      hasher.verify({ ...stored, password }),
      hasher.verify({ ...stored, password }),
      hasher.verifyDummy(password),
      hasher.hash(password),
    ]);
    expect(outcomes.map((o) => o.status)).toEqual([
      'fulfilled',
      'fulfilled',
      'rejected',
      'rejected',
    ]);
    for (const o of outcomes.slice(2)) {
      const reason = (o as PromiseRejectedResult).reason as PasswordHashingOverloadedError;
      expect(reason).toBeInstanceOf(PasswordHashingOverloadedError);
      expect(reason.code).toBe('passwords.overloaded');
      expect(reason.retryAfterSeconds).toBeGreaterThanOrEqual(1);
    }
    expect(hasher.load).toEqual({ queued: 0, inFlight: 0, shedTotal: 2, queueLimit: 1 });
  });

  it('verifyDummy works without onModuleInit (dummy hash made lazily, once)', async () => {
    const hasher = new PasswordHasher(config());
    await expect(Promise.all([hasher.verifyDummy('a'), hasher.verifyDummy('b')])).resolves.toEqual([
      undefined,
      undefined,
    ]);
  });
});
