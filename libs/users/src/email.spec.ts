import { isValidEmail, MAX_EMAIL_LENGTH, normalizeEmail } from './email';

describe('normalizeEmail', () => {
  it('trims and lower-cases', () => {
    expect(normalizeEmail('  Alice@Example.COM ')).toBe('alice@example.com');
  });

  it('folds compatibility characters (NFKC): fullwidth letters and signs', () => {
    expect(normalizeEmail('ＡＬＩＣＥ＠ｅｘａｍｐｌｅ．ｃｏｍ')).toBe('alice@example.com');
  });

  it('composes decomposed accents, so both spellings are one key', () => {
    expect(normalizeEmail('jose\u0301@example.com')).toBe(normalizeEmail('josé@example.com'));
  });
});

describe('isValidEmail', () => {
  it.each([
    'alice@example.com',
    '  Alice@Example.COM ',
    'a.b+tag@sub.example.co.uk',
    'ＡＬＩＣＥ＠ｅｘａｍｐｌｅ．ｃｏｍ',
    'josé@exämple.de',
  ])('accepts %j', (email) => {
    expect(isValidEmail(email)).toBe(true);
  });

  it.each([
    ['empty', ''],
    ['no @', 'alice.example.com'],
    ['two @', 'alice@bob@example.com'],
    ['empty local part', '@example.com'],
    ['empty domain', 'alice@'],
    ['domain without a dot', 'alice@localhost'],
    ['empty domain label', 'alice@example..com'],
    ['domain ending in a dot', 'alice@example.com.'],
    ['inner space', 'ali ce@example.com'],
    ['tab', 'alice\t@example.com'],
    ['line break (header injection)', 'alice@example.com\r\nBcc: x@y.z'],
    ['NUL', 'alice\u0000@example.com'],
    ['zero-width space', 'ali\u200bce@example.com'],
    ['bidi override', 'alice\u202e@example.com'],
    ['a display name with quotes and angle brackets', '"x"<a@evil.example>'],
    ['angle brackets', '<alice@example.com>'],
    ['a quoted local part', '"alice"@example.com'],
    ['a comma (a second recipient)', 'alice@example.com,bob@evil.example'],
    ['a semicolon', 'alice@example.com;bob@evil.example'],
    ['a comment in parentheses', 'alice(comment)@example.com'],
    ['a colon (a group)', 'group:alice@example.com'],
    ['a domain literal', 'alice@[127.0.0.1]'],
    ['a backslash', 'ali\\ce@example.com'],
  ])('refuses %s', (_, email) => {
    expect(isValidEmail(email)).toBe(false);
  });

  it('allows exactly 254 characters and no more', () => {
    const domain = '@example.com';
    const fits = 'a'.repeat(MAX_EMAIL_LENGTH - domain.length) + domain;
    expect(isValidEmail(fits)).toBe(true);
    expect(isValidEmail('a' + fits)).toBe(false);
  });

  it('counts code points, not UTF-16 units', () => {
    const domain = '@example.com';
    const fits = '😀'.repeat(MAX_EMAIL_LENGTH - domain.length) + domain;
    expect(isValidEmail(fits)).toBe(true);
  });
});
