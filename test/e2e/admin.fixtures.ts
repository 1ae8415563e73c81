/**
 * Shared set-up of the admin, gRPC and reporting-demo suites: an app whose
 * `BOOTSTRAP_ADMIN_EMAIL` account becomes admin on verification, and users signed up through
 * the real REST flows.
 */
import { decodeJwt } from 'jose';
import {
  GOOD_PASSWORD,
  login,
  type LoggedIn,
  MailCatcher,
  registerVerified,
  uniqueEmail,
} from '@identity/testing';
import { startTestApp, type TestApp, type TestAppOptions } from '../support/app';

/** A signed-up, verified, logged-in user. */
export interface TestUser extends LoggedIn {
  email: string;
  password: string;
  userId: string;
}

export interface AdminHarness {
  app: TestApp;
  mail: MailCatcher;
  /** The bootstrap admin, logged in with a password only (amr `pwd`). */
  admin: TestUser;
  /** Registers, verifies and logs in a fresh user. */
  signUp(label?: string): Promise<TestUser>;
  close(): Promise<void>;
}

export const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });

/** Registers, verifies and logs in `email` on `url`. */
export async function signUpOn(url: string, mail: MailCatcher, email: string): Promise<TestUser> {
  const creds = await registerVerified(url, mail, email, GOOD_PASSWORD);
  const session = await login(url, creds);
  return { ...creds, ...session, userId: String(decodeJwt(session.accessToken).sub) };
}

/**
 * Starts an app (mail to a local catcher; mail budgets raised, these suites sign up many
 * users from one IP) and signs up its bootstrap admin.
 */
export async function startAdminHarness(
  options: TestAppOptions & { mail?: MailCatcher; adminEmail?: string },
): Promise<AdminHarness> {
  const ownMail = !options.mail;
  const mail = options.mail ?? new MailCatcher();
  const port = ownMail ? await mail.start() : mail.port;
  const adminEmail = options.adminEmail ?? uniqueEmail('admin');
  const app = await startTestApp({
    ...options,
    env: {
      SMTP_URL: `smtp://127.0.0.1:${port}`,
      BOOTSTRAP_ADMIN_EMAIL: adminEmail,
      MAIL_PER_IP_PER_HOUR: '10000',
      ...options.env,
    },
  });
  try {
    const admin = await signUpOn(app.url, mail, adminEmail);
    return {
      app,
      mail,
      admin,
      signUp: (label = 'user') => signUpOn(app.url, mail, uniqueEmail(label)),
      async close() {
        await app.close();
        if (ownMail) await mail.stop();
      },
    };
  } catch (err) {
    await app.close();
    if (ownMail) await mail.stop();
    throw err;
  }
}
