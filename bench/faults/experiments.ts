import { login, registerVerified, uniqueEmail } from '../../test/support/flows';
import { type JsonClient, sleep, Tally } from './http';
import type { FaultLab } from './lab';
import { LoadClient, type Session } from './load';

/** One row of the table. */
export interface ExperimentResult {
  experiment: string;
  requests: number;
  answers: string;
  /** From the repair (or the crash) until every client had a 2xx again (and /readyz was 200). */
  recoveryMs: number | null;
  chainsBroken: number;
  /** Exchanges reset or hung up (a crash resets by nature; a drain must not). */
  resets: number;
  revocationsLost: number;
  revocationsChecked: number;
  mailsLost: number;
  mailsChecked: number;
  /** Seconds from the request to the arrival of mails that came after the experiment's wait. */
  mailsLate: number[];
  notes: string[];
}

/** A mail that must arrive: answered 202, not yet seen at the SMTP sink. */
interface ExpectedMail {
  to: string;
  kind: 'reset-password' | 'verify-email';
  requestedAt: number;
}

/** How long an experiment waits for its mails before leaving them to the final sweep. */
const MAIL_WAIT_MS = 30_000;
/**
 * How long the final sweep waits for a mail: the outbox lease of a killed instance (120 s,
 * libs/delivery) plus a retry. A mail later than that is counted lost.
 */
const MAIL_FINAL_WAIT_MS = 150_000;

/** What the experiments share: the lab, the clients under load, and accounts to spend. */
export class FaultRun {
  readonly clients: LoadClient[] = [];
  /** Mails that had not arrived when their experiment ended, for the final sweep. */
  private readonly overdue: { result: ExperimentResult; mail: ExpectedMail }[] = [];
  private victimCreds!: { email: string; password: string };
  private readonly spareMailUsers: { email: string; password: string }[] = [];

  constructor(
    readonly lab: FaultLab,
    private readonly http: JsonClient,
    private readonly log: (line: string) => void,
  ) {}

  /** Accounts through the real flows (register, mailed link, verify), then sign-ins. */
  async seed(options: { clients: number; mailUsers: number }): Promise<void> {
    const url = this.lab.url;
    this.victimCreds = await registerVerified(url, this.lab.smtp, uniqueEmail('victim'));
    for (let i = 0; i < options.mailUsers; i++) {
      this.spareMailUsers.push(await registerVerified(url, this.lab.smtp, uniqueEmail('mail')));
    }
    for (let i = 0; i < options.clients; i++) {
      const creds = await registerVerified(url, this.lab.smtp, uniqueEmail('client'));
      const signIn = () => login(this.lab.url, creds, `load-${i}`) as Promise<Session>;
      this.clients.push(new LoadClient(this.http, await signIn(), signIn));
    }
    for (const client of this.clients) client.start();
  }

  async stop(): Promise<void> {
    await Promise.all(this.clients.map((c) => c.stop()));
  }

  /** Runs one experiment with a fresh tally; the body returns the repair time and extras. */
  async run(
    experiment: string,
    body: (ctx: ExperimentContext) => Promise<void>,
  ): Promise<ExperimentResult> {
    this.log(`experiment: ${experiment}`);
    const tally = new Tally();
    this.http.tally = tally;
    const brokenBefore = this.clients.reduce((n, c) => n + c.broken, 0);
    const ctx = new ExperimentContext(this, this.http);
    await body(ctx);
    const revocations = await ctx.checkRevocations();
    const mails = await ctx.checkMails();
    const result: ExperimentResult = {
      experiment,
      requests: tally.requests,
      answers: tally.describe(),
      recoveryMs: ctx.recoveryMs,
      chainsBroken: this.clients.reduce((n, c) => n + c.broken, 0) - brokenBefore,
      resets: tally.resets(),
      revocationsLost: revocations.lost,
      revocationsChecked: revocations.checked,
      mailsLost: mails.missing.length,
      mailsChecked: mails.checked,
      mailsLate: [],
      notes: ctx.notes,
    };
    for (const mail of mails.missing) this.overdue.push({ result, mail });
    this.log(`  ${JSON.stringify(result)}`);
    return result;
  }

  /**
   * Waits for the mails that were late (up to the lease of a killed instance and a retry);
   * those that arrive move from "lost" to "late", with how long they took.
   */
  async sweepMails(): Promise<void> {
    if (this.overdue.length === 0) return;
    this.log(`waiting for ${this.overdue.length} late mail(s)`);
    const deadline = Math.max(...this.overdue.map((o) => o.mail.requestedAt)) + MAIL_FINAL_WAIT_MS;
    const pending = [...this.overdue];
    while (pending.length > 0 && Date.now() < deadline) {
      for (let i = pending.length - 1; i >= 0; i--) {
        const { result, mail } = pending[i]!;
        if (!arrivedAt(this.lab, mail)) continue;
        result.mailsLost -= 1;
        result.mailsLate.push(Math.round((arrivedAt(this.lab, mail)! - mail.requestedAt) / 1000));
        pending.splice(i, 1);
      }
      await sleep(200);
    }
  }

  signInVictim(): Promise<Session> {
    return login(this.lab.url, this.victimCreds, 'victim');
  }

  takeMailUser(): { email: string; password: string } {
    const user = this.spareMailUsers.shift();
    if (!user) throw new Error('no spare mail user left: seed more');
    return user;
  }
}

/** The tools of one experiment: revocations and mails to check, recovery to measure. */
export class ExperimentContext {
  recoveryMs: number | null = null;
  readonly notes: string[] = [];
  private readonly revoked: { session: Session; answer: string }[] = [];
  private readonly mails: ExpectedMail[] = [];

  constructor(
    private readonly run: FaultRun,
    private readonly http: JsonClient,
  ) {}

  get lab(): FaultLab {
    return this.run.lab;
  }

  get clients(): LoadClient[] {
    return this.run.clients;
  }

  /**
   * Signs a victim in now (the session to revoke later); with the platform down, retries.
   */
  async victim(): Promise<Session> {
    for (let i = 0; ; i++) {
      try {
        return await this.run.signInVictim();
      } catch (err) {
        if (i > 100) throw err;
        await sleep(200);
      }
    }
  }

  /**
   * Logs the victim out the way a client would: until it is answered 204 (a 503 or no answer
   * means "not done": try again). Its access token must be refused from then on.
   */
  async revoke(session: Session): Promise<void> {
    const until = Date.now() + 60_000;
    for (;;) {
      const res = await this.http.send('POST', '/auth/logout', { bearer: session.accessToken });
      if (res.status === 204) {
        this.revoked.push({ session, answer: '204' });
        return;
      }
      if (Date.now() > until) {
        this.notes.push(`a logout never got 204 (last: ${res.status ?? res.error})`);
        return;
      }
      await sleep(250);
    }
  }

  /** A mail that must arrive: a forgot-password (or a registration) answered 202. */
  async requestMail(kind: 'reset-password' | 'verify-email'): Promise<void> {
    const requestedAt = Date.now();
    const user =
      kind === 'reset-password'
        ? this.run.takeMailUser()
        : { email: uniqueEmail('late'), password: 'correct horse battery staple 42' };
    const path = kind === 'reset-password' ? '/auth/forgot-password' : '/auth/register';
    const body = kind === 'reset-password' ? { email: user.email } : user;
    const res = await this.http.send('POST', path, { body });
    if (res.status !== 202) {
      this.notes.push(`${path} answered ${res.status ?? res.error}; not counted`);
      return;
    }
    this.mails.push({ to: user.email, kind, requestedAt });
  }

  /** Every load client has had a 2xx since `since` (and the instance is ready): the recovery. */
  async recovered(since: number, timeoutMs = 60_000): Promise<void> {
    const until = Date.now() + timeoutMs;
    while (this.clients.some((c) => c.lastOkAt <= since)) {
      if (Date.now() > until) {
        this.notes.push('some clients never recovered');
        return;
      }
      await sleep(25);
    }
    const allOk = Math.max(...this.clients.map((c) => c.lastOkAt));
    const ready = await this.lab.untilReady();
    this.recoveryMs = Math.max(allOk, ready) - since;
  }

  /** Waits until every mail asked for so far has arrived; recovery = the last one's arrival. */
  async mailsDelivered(since: number, timeoutMs = 60_000): Promise<void> {
    const until = Date.now() + timeoutMs;
    while (this.mails.some((m) => !arrivedAt(this.lab, m)) && Date.now() < until) await sleep(25);
    if (this.mails.every((m) => arrivedAt(this.lab, m))) this.recoveryMs = Date.now() - since;
  }

  /** Revoked sessions whose access token still opens /auth/me (must be none). */
  async checkRevocations(): Promise<{ lost: number; checked: number }> {
    let lost = 0;
    for (const { session } of this.revoked) {
      const res = await this.http.send('GET', '/auth/me', { bearer: session.accessToken });
      if (res.status === 200) lost += 1;
      else if (res.status !== 401)
        this.notes.push(`a revoked token got ${res.status ?? res.error}`);
    }
    return { lost, checked: this.revoked.length };
  }

  /** Mails asked for (answered 202) that have not reached the SMTP sink within 30 s. */
  async checkMails(): Promise<{ missing: ExpectedMail[]; checked: number }> {
    const until = Date.now() + MAIL_WAIT_MS;
    const missing = () => this.mails.filter((m) => !arrivedAt(this.lab, m));
    while (missing().length > 0 && Date.now() < until) await sleep(100);
    return { missing: missing(), checked: this.mails.length };
  }
}

/** When the sink received `mail` (its link in the text), or undefined. */
function arrivedAt(lab: FaultLab, mail: ExpectedMail): number | undefined {
  return lab.smtp.mails.find(
    (m) => m.envelopeTo.includes(mail.to) && m.text.includes(`${mail.kind}?token=`),
  )?.receivedAt;
}

/** Pauses until `check` holds (bounded). */
export async function until(check: () => boolean, timeoutMs = 10_000): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) return false;
    await sleep(10);
  }
  return true;
}
