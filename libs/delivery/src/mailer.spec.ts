import { Logger } from '@nestjs/common';
import { loadConfig } from '@identity/config';
import { Mailer } from './mailer';

const mail = {
  to: 'dev@example.test',
  subject: 'Confirm your email address',
  text: 'Confirm email: http://localhost:3000/auth/verify-email?token=abc',
  html: '<p>ignored</p>',
};

describe('Mailer without SMTP_URL', () => {
  afterEach(() => jest.restoreAllMocks());

  it('writes the whole text mail to the log in development, so the link can be clicked', async () => {
    const log = jest.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined);
    const mailer = new Mailer(loadConfig({ MAIL_FROM: 'no-reply@id.test' }));
    expect(mailer.logsOnly).toBe(true);
    await mailer.send(mail);
    expect(log).toHaveBeenCalledTimes(1);
    const line = String(log.mock.calls[0]?.[0]);
    expect(line).toContain('To: dev@example.test');
    expect(line).toContain('From: no-reply@id.test');
    expect(line).toContain('Subject: Confirm your email address');
    expect(line).toContain('http://localhost:3000/auth/verify-email?token=abc');
  });

  it('refuses to run in production, where a logged link would be a leak', () => {
    const config = { ...loadConfig({}), isProduction: true };
    expect(() => new Mailer(config)).toThrow(/SMTP_URL is required/);
  });

  it('uses SMTP when SMTP_URL is set', () => {
    const mailer = new Mailer(loadConfig({ SMTP_URL: 'smtp://127.0.0.1:2525' }));
    expect(mailer.logsOnly).toBe(false);
    mailer.onApplicationShutdown();
  });
});
