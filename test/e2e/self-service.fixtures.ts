/**
 * Shared set-up of the self-service suites: an app on a moved clock with mail to a local
 * catcher, users signed up through the real REST flows, and the second factor enrolled
 * through the real routes.
 */
import request from 'supertest';
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
import { ManualClock } from '../support/clock';
import { codeFor, steadyStep } from './mfa.helpers';

export const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });

/** A signed-up, verified, logged-in user. */
export interface Member extends LoggedIn {
  email: string;
  password: string;
  userId: string;
}

export interface SelfServiceHarness {
  app: TestApp;
  mail: MailCatcher;
  clock: ManualClock;
  /** Registers, verifies and logs in a fresh user (`email` when given). */
  signUp(label?: string, email?: string): Promise<Member>;
  /** Logs `member` in once more: another device. */
  anotherSession(member: Member, device?: string): Promise<LoggedIn>;
  /** Turns TOTP on through the routes; returns the secret. */
  enrolTotp(member: Member): Promise<string>;
  /** A code of `secret` the server accepts now (and marks used). */
  code(secret: string): Promise<string>;
  close(): Promise<void>;
}

export async function startSelfServiceHarness(
  label: string,
  options: Omit<TestAppOptions, 'label' | 'clock'> = {},
): Promise<SelfServiceHarness> {
  const mail = new MailCatcher();
  const port = await mail.start();
  const clock = new ManualClock();
  const app = await startTestApp({
    ...options,
    label,
    clock,
    env: {
      SMTP_URL: `smtp://127.0.0.1:${port}`,
      APP_URL: 'https://id.example.test',
      ...options.env,
    },
  });
  let lastStep = 0;
  const code = async (secret: string): Promise<string> => {
    // Each step is accepted once per user: move to a fresh step for every code.
    if (lastStep > 0) clock.advance(30);
    lastStep = await steadyStep(clock);
    return codeFor(secret, lastStep);
  };
  return {
    app,
    mail,
    clock,
    async signUp(who = 'member', email = uniqueEmail(who)) {
      const creds = await registerVerified(app.url, mail, email, GOOD_PASSWORD);
      const session = await login(app.url, creds, `${who} laptop`);
      return { ...creds, ...session, userId: String(decodeJwt(session.accessToken).sub) };
    },
    anotherSession(member, device = 'phone') {
      return login(app.url, { email: member.email, password: member.password }, device);
    },
    async enrolTotp(member) {
      const setup = await request(app.url)
        .post('/auth/mfa/totp/setup')
        .set(bearer(member.accessToken))
        .send({ password: member.password })
        .expect(200);
      const secret = setup.body.secret as string;
      await request(app.url)
        .post('/auth/mfa/totp/confirm')
        .set(bearer(member.accessToken))
        .send({ code: await code(secret) })
        .expect(200);
      return secret;
    },
    code,
    async close() {
      await app.close();
      await mail.stop();
    },
  };
}
