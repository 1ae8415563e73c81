/**
 * Branded, translated mail. The locale is chosen from the request's `Accept-Language` when
 * the mail is queued (stored, sealed, with the outbox row, so the worker renders it in that
 * locale), on both paths a mail takes: queued in the request itself (change-email) and
 * queued by the outbox worker for an account request (register, forgot password). A locale
 * without wording falls back to English. An operator's override directory replaces the parts
 * it has files for (here the English verification subject and the German reset HTML, whose
 * values are HTML-escaped), and `MAIL_PRODUCT_NAME` names the product in the rest.
 */
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import {
  type CapturedMail,
  GOOD_PASSWORD,
  login,
  MailCatcher,
  mailedToken,
  uniqueEmail,
} from '@identity/testing';
import { startTestApp, type TestApp } from '../support/app';

describe('mail in the requester language, branded and overridable', () => {
  const mail = new MailCatcher();
  let app: TestApp;
  let dir: string;

  beforeAll(async () => {
    const smtp = await mail.start();
    dir = await mkdtemp(join(tmpdir(), 'mail-templates-'));
    await mkdir(join(dir, 'en'));
    await mkdir(join(dir, 'de'));
    await writeFile(
      join(dir, 'en', 'verify_email.subject.txt'),
      'Welcome to {{product}}, please confirm\n',
    );
    await writeFile(
      join(dir, 'de', 'reset_password.html'),
      '<p>{{greeting}}</p><p><a href="{{link}}">Neues Passwort für {{product}}</a> ({{validFor}})</p>',
    );
    app = await startTestApp({
      label: 'mail_locale',
      env: {
        SMTP_URL: `smtp://127.0.0.1:${smtp}`,
        MAIL_PRODUCT_NAME: 'Acme <ID>',
        MAIL_TEMPLATES_DIR: dir,
      },
    });
  });

  afterAll(async () => {
    await app?.close();
    await mail.stop();
    await rm(dir, { recursive: true, force: true });
  });

  async function mailTo(to: string, count = 1): Promise<CapturedMail> {
    const until = Date.now() + 10_000;
    for (;;) {
      const mails = mail.mails.filter((m) => m.envelopeTo.includes(to));
      if (mails.length >= count) return mails[count - 1]!;
      if (Date.now() > until) throw new Error(`no mail #${count} to ${to}`);
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  const register = (email: string, language?: string) => {
    const req = request(app.url).post('/auth/register');
    if (language) req.set('Accept-Language', language);
    return req.send({ email, password: GOOD_PASSWORD, name: 'Zoë <b>' });
  };

  it('registers in German: the verification mail is German, named for the product', async () => {
    const email = uniqueEmail('de');
    expect((await register(email, 'de-CH, de;q=0.9, en;q=0.5')).status).toBe(202);
    const m = await mailTo(email);
    expect(m.subject).toBe('Acme <ID>: Bestätigen Sie Ihre E-Mail-Adresse');
    expect(m.text).toContain('Hallo Zoë <b>,');
    expect(m.text).toContain('Bitte bestätigen Sie Ihre E-Mail-Adresse');
    expect(m.text).toContain('E-Mail-Adresse bestätigen: http');
    expect(m.text).toContain('1 Tag gültig');
    expect(m.text).toMatch(/— Acme <ID>$/);
    expect(m.html).toContain('<html lang="de">');
    expect(m.html).toContain('Hallo Zoë &lt;b&gt;,');
    expect(m.html).toContain('— Acme &lt;ID&gt;');
    // The link still works: the German mail carries the same token.
    expect(await mailedToken(mail, email, 'verify-email')).toMatch(/^[A-Za-z0-9_-]+$/);
  });

  it('uses the English override subject without a header and for a locale there is no wording for', async () => {
    for (const language of [undefined, 'fr-FR, fr;q=0.8']) {
      const email = uniqueEmail('en');
      expect((await register(email, language)).status).toBe(202);
      const m = await mailTo(email);
      expect(m.subject).toBe('Welcome to Acme <ID>, please confirm');
      // Only the subject is overridden: the text is the built-in English one.
      expect(m.text).toContain(
        'Please confirm your email address to finish setting up your account.',
      );
      expect(m.html).toContain('<html lang="en">');
    }
  });

  it('forgot password in German: the worker renders the override HTML, values escaped', async () => {
    const email = uniqueEmail('reset');
    expect((await register(email)).status).toBe(202);
    await mailTo(email);
    const forgot = await request(app.url)
      .post('/auth/forgot-password')
      .set('Accept-Language', 'de')
      .send({ email });
    expect(forgot.status).toBe(202);
    const m = await mailTo(email, 2);
    expect(m.subject).toBe('Acme <ID>: Setzen Sie Ihr Passwort zurück');
    expect(m.text).toContain('Neues Passwort wählen: http');
    expect(m.html).toMatch(
      /^<p>Hallo Zoë &lt;b&gt;,<\/p><p><a href="http[^"]+\/reset-password\?token=[^"]+">Neues Passwort für Acme &lt;ID&gt;<\/a> \(30 Minuten\)<\/p>$/,
    );
  });

  it('change of email in German: mails queued in the request itself follow its language', async () => {
    const email = uniqueEmail('change');
    expect((await register(email)).status).toBe(202);
    const token = await mailedToken(mail, email, 'verify-email');
    await request(app.url)
      .post('/auth/verify-email')
      .send({ token, password: GOOD_PASSWORD })
      .expect(200);
    const session = await login(app.url, { email, password: GOOD_PASSWORD });
    const newEmail = uniqueEmail('changed');
    const res = await request(app.url)
      .post('/auth/change-email')
      .set('Authorization', `Bearer ${session.accessToken}`)
      .set('Accept-Language', 'de')
      .send({ new_email: newEmail, password: GOOD_PASSWORD });
    expect(res.status).toBe(202);
    const confirm = await mailTo(newEmail);
    expect(confirm.subject).toBe('Acme <ID>: Bestätigen Sie Ihre neue E-Mail-Adresse');
    const notice = await mailTo(email, 2);
    expect(notice.subject).toBe('Acme <ID>: Eine Änderung Ihrer E-Mail-Adresse wurde angefordert');
    expect(notice.text).toContain(`E-Mail-Adresse in ${newEmail} ändern`);
  });
});
