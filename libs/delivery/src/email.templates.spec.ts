import { EMAIL_TEMPLATES, type EmailMessage, renderEmail } from './email.templates';

const ctx = {
  appUrl: 'https://id.example.com',
  tokenTtl: { verifyEmail: 86_400, resetPassword: 1_800 },
};

function messageFor(template: (typeof EMAIL_TEMPLATES)[number]): EmailMessage {
  const to = 'alice@example.com';
  switch (template) {
    case 'verify_email':
    case 'reset_password':
    case 'account_exists':
    case 'confirm_email_change':
      return { template, to, vars: { token: 'tok' } };
    case 'email_change_requested':
      return { template, to, vars: { newEmail: 'alice.new@example.com' } };
    case 'recovery_code_used':
      return { template, to, vars: { remaining: 3 } };
    case 'password_changed':
    case 'mfa_disabled':
    case 'email_changed':
    case 'account_deleted':
      return { template, to, vars: {} };
  }
}

describe('email templates', () => {
  it('puts the verification link of API.md in both parts', () => {
    const mail = renderEmail(
      { template: 'verify_email', to: 'a@example.com', vars: { token: 'abc_-123' } },
      ctx,
    );
    const link = 'https://id.example.com/auth/verify-email?token=abc_-123';
    expect(mail.text).toContain(link);
    expect(mail.html).toContain(`href="${link}"`);
    expect(mail.text).toContain('1 day');
  });

  it('puts the reset link of API.md in reset and account-exists mails', () => {
    for (const template of ['reset_password', 'account_exists'] as const) {
      const mail = renderEmail({ template, to: 'a@example.com', vars: { token: 'r1' } }, ctx);
      expect(mail.text).toContain('https://id.example.com/reset-password?token=r1');
      expect(mail.text).toContain('30 minutes');
    }
  });

  it('puts the email-change link of API.md in the mail to the new address', () => {
    const mail = renderEmail(
      { template: 'confirm_email_change', to: 'new@example.com', vars: { token: 'c1' } },
      ctx,
    );
    const link = 'https://id.example.com/confirm-email-change?token=c1';
    expect(mail.text).toContain(link);
    expect(mail.html).toContain(`href="${link}"`);
    expect(mail.text).toContain('30 minutes');
  });

  it('tells the current address which address was asked for, escaped in HTML', () => {
    const mail = renderEmail(
      {
        template: 'email_change_requested',
        to: 'old@example.com',
        vars: { newEmail: 'new<b>@example.com' },
      },
      ctx,
    );
    expect(mail.text).toContain('new<b>@example.com');
    expect(mail.html).toContain('new&lt;b&gt;@example.com');
    expect(mail.text).toContain('Nothing changes until');
  });

  it('URL-encodes the token', () => {
    const mail = renderEmail(
      { template: 'reset_password', to: 'a@example.com', vars: { token: 'a+b/c=&d' } },
      ctx,
    );
    expect(mail.text).toContain('token=a%2Bb%2Fc%3D%26d');
  });

  it('escapes every interpolated value in the HTML part', () => {
    const mail = renderEmail(
      {
        template: 'verify_email',
        to: 'a@example.com',
        vars: { token: '"><img src=x>', name: '<script>alert("x")</script>' },
      },
      ctx,
    );
    expect(mail.html).not.toContain('<script>');
    expect(mail.html).not.toContain('<img');
    expect(mail.html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;');
  });

  it('keeps a hostile name to one greeting line in the text part', () => {
    const mail = renderEmail(
      { template: 'password_changed', to: 'a@example.com', vars: { name: 'Bob\n\nClick evil' } },
      ctx,
    );
    expect(mail.text.split('\n')[0]).toBe('Hello Bob  Click evil,');
  });

  it.each(EMAIL_TEMPLATES)('renders %s with a subject, a text and an HTML part', (template) => {
    const mail = renderEmail(messageFor(template), ctx);
    expect(mail.subject.length).toBeGreaterThan(5);
    expect(mail.text).toMatch(/^Hello,\n/);
    expect(mail.html).toMatch(/^<!doctype html>/);
  });

  it('tells how many recovery codes are left', () => {
    const mail = renderEmail(messageFor('recovery_code_used'), ctx);
    expect(mail.text).toContain('Recovery codes left: 3.');
  });
});
