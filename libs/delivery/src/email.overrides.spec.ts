import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TemplateOverrides } from './email.overrides';
import { EMAIL_TEMPLATES, renderEmail } from './email.templates';

const ctx = {
  appUrl: 'https://id.example.com',
  tokenTtl: { verifyEmail: 86_400, resetPassword: 1_800 },
};

describe('TemplateOverrides', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'overrides-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const file = (locale: string, name: string, body: string) => {
    mkdirSync(join(dir, locale), { recursive: true });
    writeFileSync(join(dir, locale, name), body);
  };
  const load = () => TemplateOverrides.load(dir, EMAIL_TEMPLATES);

  it('replaces only the parts it has files for, filling placeholders', () => {
    file('en', 'verify_email.subject.txt', 'Join {{ product }}\r\nnow');
    file('en', 'verify_email.text.txt', '{{greeting}} open {{link}} within {{validFor}}.');
    const overrides = load();
    const message = {
      template: 'verify_email' as const,
      to: 'a@example.com',
      vars: { token: 't', name: 'Ada' },
    };
    const mail = renderEmail(message, { ...ctx, productName: 'Acme', overrides });
    const builtIn = renderEmail(message, { ...ctx, productName: 'Acme' });
    expect(mail.subject).toBe('Join Acme now'); // one line: a header cannot be split
    expect(mail.text).toBe(
      'Hello Ada, open https://id.example.com/auth/verify-email?token=t within 1 day.',
    );
    expect(mail.html).toBe(builtIn.html);
  });

  it('escapes every value in the HTML part, none in the text part', () => {
    file('de', 'email_change_requested.html', '<p>{{name}} → {{newEmail}}</p>');
    file('de', 'email_change_requested.text.txt', '{{name}} → {{newEmail}}');
    const mail = renderEmail(
      {
        template: 'email_change_requested',
        to: 'a@example.com',
        vars: { newEmail: 'x"@evil.example', name: '<img src=x onerror=alert(1)>' },
        locale: 'de',
      },
      { ...ctx, overrides: load() },
    );
    expect(mail.html).toBe('<p>&lt;img src=x onerror=alert(1)&gt; → x&quot;@evil.example</p>');
    expect(mail.text).toBe('<img src=x onerror=alert(1)> → x"@evil.example');
  });

  it('adds a locale the platform does not ship; its missing parts are built-in English', () => {
    file('fr', 'password_changed.subject.txt', 'Votre mot de passe a été modifié');
    const overrides = load();
    const mail = renderEmail(
      { template: 'password_changed', to: 'a@example.com', vars: {}, locale: 'fr' },
      { ...ctx, overrides },
    );
    expect(mail.subject).toBe('Votre mot de passe a été modifié');
    expect(mail.text).toContain('The password of your account was just changed.');
    expect(overrides.locales()).toEqual(['fr']);
  });

  it('refuses unknown placeholders, files, templates and locale names, naming each path', () => {
    file('en', 'verify_email.subject.txt', 'Hi {{token}} {{constructor}}');
    file('en', 'verify_mail.html', 'typo');
    file('en', 'notes.md', 'x');
    file('EN_us', 'verify_email.html', 'x');
    writeFileSync(join(dir, 'stray.txt'), 'x');
    let message = '';
    try {
      load();
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toContain('unknown placeholder {{token}}');
    expect(message).toContain('unknown placeholder {{constructor}}');
    expect(message).toContain(join(dir, 'en', 'verify_mail.html'));
    expect(message).toContain(join(dir, 'en', 'notes.md'));
    expect(message).toContain(join(dir, 'EN_us'));
    expect(message).toContain(join(dir, 'stray.txt'));
    expect(message).not.toContain('typo');
  });

  it('refuses a file over 64 KiB', () => {
    file('en', 'verify_email.html', 'x'.repeat(64 * 1024 + 1));
    expect(load).toThrow(/larger than 64 KiB/);
  });
});
