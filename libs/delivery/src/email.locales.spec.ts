import { BUILT_IN_CATALOGS } from './email.catalog';
import { EMAIL_TEMPLATES, type EmailMessage, renderEmail } from './email.templates';

const ctx = {
  appUrl: 'https://id.example.com',
  tokenTtl: { verifyEmail: 86_400, resetPassword: 1_800 },
};

const verify: EmailMessage = {
  template: 'verify_email',
  to: 'a@example.com',
  vars: { token: 'tok', name: 'Jörg' },
};

describe('mail locales and product name', () => {
  it('renders German when asked', () => {
    const mail = renderEmail({ ...verify, locale: 'de' }, ctx);
    expect(mail.subject).toBe('Bestätigen Sie Ihre E-Mail-Adresse');
    expect(mail.text).toBe(
      [
        'Hallo Jörg,',
        '',
        'Bitte bestätigen Sie Ihre E-Mail-Adresse, um die Einrichtung Ihres Kontos abzuschließen.',
        '',
        'E-Mail-Adresse bestätigen: https://id.example.com/auth/verify-email?token=tok',
        '',
        'Der Link ist einmal verwendbar und 1 Tag gültig.',
        'Falls Sie das nicht waren, können Sie diese E-Mail ignorieren.',
      ].join('\n'),
    );
    expect(
      renderEmail({ ...verify, template: 'reset_password', locale: 'de' }, ctx).text,
    ).toContain('30 Minuten gültig');
  });

  it('falls back to English for an unknown or missing locale', () => {
    const english = renderEmail(verify, ctx);
    expect(english.subject).toBe('Confirm your email address');
    expect(renderEmail({ ...verify, locale: 'fr' }, ctx)).toEqual(english);
    expect(renderEmail({ ...verify, locale: '__proto__' }, ctx)).toEqual(english);
    expect(renderEmail({ ...verify, locale: 'en' }, ctx)).toEqual(english);
  });

  it('names the product in subject and signature only when configured, on one line', () => {
    const plain = renderEmail(verify, ctx);
    expect(plain.text).not.toContain('—');
    const branded = renderEmail(verify, { ...ctx, productName: 'Acme\r\nBcc: x@evil.example' });
    expect(branded.subject).toBe('Acme Bcc: x@evil.example: Confirm your email address');
    expect(branded.text).toBe(`${plain.text}\n\n— Acme Bcc: x@evil.example`);
  });

  it('has German wording for every template, different from the English', () => {
    for (const template of EMAIL_TEMPLATES) {
      const message = {
        template,
        to: 'a@example.com',
        vars: { token: 't', newEmail: 'n@example.com', remaining: 2 },
      } as EmailMessage;
      const en = renderEmail(message, ctx);
      const de = renderEmail({ ...message, locale: 'de' }, ctx);
      expect(de.subject).not.toBe(en.subject);
      expect(de.text).not.toBe(en.text);
    }
    expect([...BUILT_IN_CATALOGS.keys()]).toEqual(['en', 'de']);
  });
});
