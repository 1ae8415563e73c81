import request from 'supertest';
import type { MailCatcher } from './mail-catcher';

/** A password the policy accepts (long, not common, unrelated to the email). */
export const GOOD_PASSWORD = 'correct horse battery staple 42';

let counter = 0;
/** A fresh, unique email address for one test user. */
export function uniqueEmail(label = 'user'): string {
  counter += 1;
  return `${label}.${process.pid}.${Date.now().toString(36)}.${counter}@example.test`;
}

/** The token of the last link of `kind` mailed to `to`. */
export async function mailedToken(
  mail: MailCatcher,
  to: string,
  kind: 'verify-email' | 'reset-password' | 'confirm-email-change',
): Promise<string> {
  const pattern = new RegExp(`/(?:auth/)?${kind}\\?token=([A-Za-z0-9_%-]+)`);
  const until = Date.now() + 5_000;
  for (;;) {
    const match = mail.mails
      .filter((m) => m.envelopeTo.includes(to))
      .map((m) => pattern.exec(m.text))
      .filter((m): m is RegExpExecArray => m !== null)
      .pop();
    if (match) return decodeURIComponent(match[1]!);
    if (Date.now() > until) throw new Error(`no ${kind} mail for ${to}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Registers through the API and verifies through the emailed link. */
export async function registerVerified(
  url: string,
  mail: MailCatcher,
  email = uniqueEmail(),
  password = GOOD_PASSWORD,
): Promise<{ email: string; password: string }> {
  const reg = await request(url).post('/auth/register').send({ email, password });
  if (reg.status !== 202) throw new Error(`register answered ${reg.status}: ${reg.text}`);
  const token = await mailedToken(mail, email, 'verify-email');
  const verified = await request(url).post('/auth/verify-email').send({ token, password });
  if (verified.status !== 200) throw new Error(`verify answered ${verified.status}`);
  return { email, password };
}

export interface LoggedIn {
  accessToken: string;
  refreshToken: string;
  sessionId: string;
}

/** Logs in with a token pair in the body. */
export async function login(
  url: string,
  creds: { email: string; password: string },
  deviceName?: string,
): Promise<LoggedIn> {
  const res = await request(url)
    .post('/auth/login')
    .send({ ...creds, ...(deviceName ? { device_name: deviceName } : {}) });
  if (res.status !== 200) throw new Error(`login answered ${res.status}: ${res.text}`);
  return {
    accessToken: res.body.access_token,
    refreshToken: res.body.refresh_token,
    sessionId: res.body.session_id,
  };
}
