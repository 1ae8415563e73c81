import { loadConfig, type AppConfig } from '@identity/config';
import type { BreachedPasswordChecker } from './breached-password.checker';
import { COMMON_PASSWORDS_PATH, foldPassword, loadCommonPasswords } from './common-passwords';
import { MAX_PASSWORD_LENGTH, PasswordPolicy, type PolicyViolation } from './password-policy';
import { WeakPasswordError } from './passwords.errors';

const config: AppConfig = loadConfig({ NODE_ENV: 'test', PASSWORD_MIN_LENGTH: '12' });

/** A checker stand-in that answers what it is told and records each password it was asked about. */
function breachedStub(answer: boolean): BreachedPasswordChecker & { asked: string[] } {
  const asked: string[] = [];
  const stub = {
    asked,
    isBreached: (password: string) => {
      asked.push(password);
      return Promise.resolve(answer);
    },
  };
  return stub as unknown as BreachedPasswordChecker & { asked: string[] };
}

function rules(violations: PolicyViolation[]): string[] {
  return violations.map((v) => v.rule);
}

describe('PasswordPolicy', () => {
  const strong = 'violet-harbour-tractor-91';

  it('accepts a long, uncommon password and asks the breach checker last', async () => {
    const breached = breachedStub(false);
    const policy = new PasswordPolicy(config, breached);
    await expect(policy.check(strong, { email: 'ada@example.com' })).resolves.toEqual([]);
    expect(breached.asked).toEqual([strong]);
  });

  it('too_short: counts code points after NFKC against the configured minimum', async () => {
    const policy = new PasswordPolicy(config, breachedStub(false));
    await expect(policy.check('short-pw-x1')).resolves.toEqual([
      { rule: 'too_short', message: 'must be at least 12 characters' },
    ]);
    // 12 emoji are 24 UTF-16 units but 12 characters.
    await expect(policy.check('🦊🐙🦉🐢🦔🐝🦋🐬🦩🐌🦀🐧')).resolves.toEqual([]);
    // 11 code points once e + combining acute compose into é (12 before NFKC).
    const decomposed = 'cafe\u0301-noir-71';
    expect([...decomposed]).toHaveLength(13);
    await expect(policy.check(decomposed.slice(0, -1))).resolves.toEqual([
      { rule: 'too_short', message: 'must be at least 12 characters' },
    ]);
    // NFKC folds the ligature "ﬃ" (1 code point) into "ffi" (3): 10 + 3 = 13.
    await expect(policy.check('\ufb03-zebra-47')).resolves.toEqual([]);
  });

  it('follows PASSWORD_MIN_LENGTH', async () => {
    const policy = new PasswordPolicy(
      loadConfig({ NODE_ENV: 'test', PASSWORD_MIN_LENGTH: '16' }),
      breachedStub(false),
    );
    await expect(policy.check(strong.slice(0, 15))).resolves.toEqual([
      { rule: 'too_short', message: 'must be at least 16 characters' },
    ]);
  });

  it(`too_long: more than ${MAX_PASSWORD_LENGTH} characters`, async () => {
    const policy = new PasswordPolicy(config, breachedStub(false));
    await expect(policy.check('x7-'.repeat(42) + 'ab')).resolves.toEqual([]);
    expect(('x7-'.repeat(42) + 'ab').length).toBe(128);
    await expect(policy.check('x7-'.repeat(43))).resolves.toEqual([
      { rule: 'too_long', message: 'must be at most 128 characters' },
    ]);
  });

  it('common: rejects well-known passwords, case-insensitively', async () => {
    const policy = new PasswordPolicy(config, breachedStub(false));
    const common = {
      rule: 'common',
      message: 'is one of the most commonly used passwords; choose a less predictable one',
    };
    for (const password of ['password1234', 'PassWord1234', 'iloveyou1234']) {
      await expect(policy.check(password)).resolves.toEqual([common]);
    }
    // Common and a keyboard or number walk: both rules are reported.
    for (const password of ['qwertyuiop12', '123456789012']) {
      expect(rules(await policy.check(password))).toEqual(['common', 'predictable']);
    }
    // Full-width letters are the same password after NFKC.
    await expect(policy.check('ｐａｓｓｗｏｒｄ１２３４')).resolves.toEqual([common]);
  });

  describe('predictable: mostly one repeated character or a keyboard or number sequence', () => {
    const predictable = {
      rule: 'predictable',
      message:
        'is mostly one repeated character or a keyboard or number sequence; choose something less predictable',
    };
    const policy = new PasswordPolicy(config, breachedStub(false));

    it.each([
      ['one character', 'aaaaaaaaaaaaaaaa'],
      ['one character and a digit', 'zzzzzzzzzzzz1'],
      ['two repeated blocks', 'aaaaaa!!!!!!'],
      ['the alphabet', 'abcdefghijklmn'],
      ['the alphabet backwards, in capitals', 'ZYXWVUTSRQPONM'],
      ['digits upwards across the wrap', '789012345678'],
      ['digits downwards across the wrap', '321098765432'],
      ['the QWERTY letter row and the next two keys', 'qwertyuiopas'],
      ['the QWERTY rows one after the other', 'qwertyuiopasdfghjkl'],
      ['the QWERTZ row', 'qwertzuiop12'],
      ['the AZERTY row', 'azertyuiop99'],
      ['keyboard columns', '1qaz2wsx3edc'],
      ['number-pad rows', '789456123789'],
      ['a walk back and forth', 'asdfgfdsasdfg'],
      ['full-width characters (NFKC)', 'ａａａａａａａａａａａａａ'],
      ['a short tail after a long run', 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa-horse-7'],
    ])('refuses %s (%j)', async (_, password) => {
      // Some are on the common list too; this rule refuses them all, listed or not.
      expect(await policy.check(password)).toContainEqual(predictable);
    });

    it('refuses walks that are on no list of common passwords', async () => {
      const unlisted = ['zzzzzzzzzzzz1', 'ZYXWVUTSRQPONM', '321098765432', 'azertyuiop99'];
      for (const password of unlisted) {
        await expect(policy.check(password)).resolves.toEqual([predictable]);
      }
    });

    it.each([
      ['a passphrase', 'correct horse battery staple 42'],
      ['words around a short walk', 'violet-harbour-tractor-91'],
      ['a run covering less than two thirds', 'qwertyuiop-Zebra7'],
      ['runs of two only', 'aabbccddeeff'.split('').reverse().join('') + 'xq'],
      ['digits that do not step', '135792468031'],
      ['a long run then as much again', 'aaaaaaaaaaaaaaaa-glacier-Mosaic-7'],
      ['emoji', '🦊🐙🦉🐢🦔🐝🦋🐬🦩🐌🦀🐧'],
    ])('accepts %s (%j)', async (_, password) => {
      await expect(policy.check(password)).resolves.toEqual([]);
    });
  });

  it('contains_email: rejects the local part of the email, case-insensitively', async () => {
    const policy = new PasswordPolicy(config, breachedStub(false));
    const containsEmail = {
      rule: 'contains_email',
      message: 'must not contain your email address or the part of it before the @',
    };
    await expect(
      policy.check('My-Margaret.Hamilton-pass', { email: 'margaret.hamilton@example.com' }),
    ).resolves.toEqual([containsEmail]);
    await expect(
      policy.check('zz-ADA-violet-harbour', { email: 'Ada@Example.com' }),
    ).resolves.toEqual([containsEmail]);
    // Local parts shorter than 3 characters appear in passwords by chance: not a rule.
    await expect(
      policy.check('violet-harbour-jo-91', { email: 'jo@example.com' }),
    ).resolves.toEqual([]);
    await expect(policy.check(strong, { email: 'someone.else@example.com' })).resolves.toEqual([]);
  });

  it('reports every local rule at once, and skips the network call when one fails', async () => {
    const breached = breachedStub(true);
    const policy = new PasswordPolicy(config, breached);
    const violations = await policy.check('ada12345', { email: 'ada@example.com' });
    expect(rules(violations)).toEqual(['too_short', 'contains_email']);
    await expect(policy.check('password1234')).resolves.toHaveLength(1);
    expect(breached.asked).toEqual([]);
  });

  it('breached: reports a password the checker finds, normalised as it will be hashed', async () => {
    const breached = breachedStub(true);
    const policy = new PasswordPolicy(config, breached);
    await expect(policy.check('cafe\u0301-violet-harbour')).resolves.toEqual([
      {
        rule: 'breached',
        message: 'has appeared in a known data breach; choose a different password',
      },
    ]);
    expect(breached.asked).toEqual(['caf\u00e9-violet-harbour']);
  });

  it('enforce throws WeakPasswordError with every violation, and passes a good password', async () => {
    const policy = new PasswordPolicy(config, breachedStub(false));
    await expect(policy.enforce(strong)).resolves.toBeUndefined();
    const error: unknown = await policy.enforce('password1234').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WeakPasswordError);
    expect(error).toMatchObject({
      code: 'passwords.weak',
      name: 'WeakPasswordError',
      violations: [{ rule: 'common' }],
    });
    expect((error as Error).message).not.toContain('password1234');
  });
});

describe('common-password list', () => {
  it('is loaded once into a Set of ~100,000 folded entries', async () => {
    const list = await loadCommonPasswords();
    expect(list.size).toBeGreaterThanOrEqual(99_000);
    expect(await loadCommonPasswords()).toBe(list);
    for (const password of ['password1234', 'qwertyuiop12', '123456789012', 'iloveyou1234']) {
      expect(list.has(password)).toBe(true);
    }
    for (const entry of [...list].slice(0, 1000)) expect(entry).toBe(foldPassword(entry));
    expect(COMMON_PASSWORDS_PATH).toMatch(/libs[/\\]passwords[/\\]data[/\\]common-passwords\.txt$/);
  });
});
