import { type JsonClient, sleep } from './http';

/** A signed-in client: its refresh family and its current access token. */
export interface Session {
  accessToken: string;
  refreshToken: string;
  sessionId: string;
}

/** Seconds a client keeps retrying one refresh token: inside REFRESH_RETRY_WINDOW (10 s). */
const RETRY_FOR_MS = 8_000;

/**
 * One client of the platform as a well-behaved app would be: it refreshes its token pair and
 * calls /auth/me in a loop, and when a refresh gets no answer (a reset, a refused connection,
 * a timeout) or a 503, it presents the *same* refresh token again, with a short backoff, for
 * up to 8 s (inside the retry window): a lost response must not cost the session. A refresh
 * answered 401 ends the chain: counted as broken, and the client signs in again.
 */
export class LoadClient {
  /** Chains this client lost (a refresh answered 401, or no answer within 8 s). */
  broken = 0;
  /** Why each chain broke: `refresh_reused`, `refresh_invalid`, `gave_up`. */
  readonly breaks: string[] = [];
  /** When this client last got a 2xx. */
  lastOkAt = 0;
  /** A refresh of this client is on the wire. */
  refreshInFlight = false;
  /** Set by the experiment: this client sends nothing while routed away (a drain). */
  paused = false;
  private stopped = false;
  private loop: Promise<void> | undefined;

  constructor(
    private readonly http: JsonClient,
    private session: Session,
    private readonly signIn: () => Promise<Session>,
  ) {}

  start(): void {
    this.stopped = false;
    this.loop ??= this.run().finally(() => {
      this.loop = undefined;
    });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.loop;
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      if (this.paused) {
        await sleep(50);
        continue;
      }
      await this.refresh();
      const me = await this.http.send('GET', '/auth/me', { bearer: this.session.accessToken });
      if (me.status === 200) this.lastOkAt = Date.now();
      await sleep(20);
    }
  }

  private async refresh(): Promise<void> {
    const token = this.session.refreshToken;
    const giveUpAt = Date.now() + RETRY_FOR_MS;
    let backoff = 100;
    this.refreshInFlight = true;
    try {
      for (;;) {
        if (this.paused) {
          await sleep(50);
          continue;
        }
        const res = await this.http.send('POST', '/auth/refresh', {
          body: { refresh_token: token },
        });
        if (res.status === 200 && typeof res.body?.refresh_token === 'string') {
          this.session = {
            accessToken: String(res.body.access_token),
            refreshToken: res.body.refresh_token,
            sessionId: String(res.body.session_id),
          };
          this.lastOkAt = Date.now();
          return;
        }
        if (res.status === 401) {
          const code = res.body?.code;
          return await this.chainBroken(typeof code === 'string' ? code : '401');
        }
        // No answer, or 503: the same token again, shortly (never a new one).
        if (Date.now() + backoff > giveUpAt) return await this.chainBroken('gave_up');
        await sleep(backoff);
        backoff = Math.min(backoff * 2, 1_000);
      }
    } finally {
      this.refreshInFlight = false;
    }
  }

  private async chainBroken(why: string): Promise<void> {
    this.broken += 1;
    this.breaks.push(why);
    for (;;) {
      try {
        this.session = await this.signIn();
        return;
      } catch {
        if (this.stopped) return;
        await sleep(500);
      }
    }
  }
}
