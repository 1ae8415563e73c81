import type autocannon from 'autocannon';

/** One refresh-token family as its client holds it. */
interface Family {
  token: string;
  accessToken: string;
  /** A request with `token` is on the wire (its answer decides the next token). */
  inFlight: boolean;
  /** Its state is unknown (an answer never came, or was not 200): never presented again. */
  tainted: boolean;
}

/**
 * The clients of the refresh scenario: many families, each owned by one connection, so a
 * family never has two refreshes in flight and every refresh presents the family's current
 * token. A token is only ever presented once, so any second acceptance of one would be a
 * double rotation; `acceptedTwice` counts them (the database check counts them independently).
 */
export class RefreshFamilies {
  private readonly families: Family[];
  private readonly accepted = new Set<string>();
  acceptedTwice = 0;
  rotations = 0;

  constructor(sessions: readonly { refreshToken: string; accessToken: string }[]) {
    this.families = sessions.map((s) => ({
      token: s.refreshToken,
      accessToken: s.accessToken,
      inFlight: false,
      tainted: false,
    }));
  }

  get size(): number {
    return this.families.length;
  }

  /** The request cycle of connection `n` of `connections`: its families, round robin. */
  requestsFor(n: number, connections: number): autocannon.Request[] {
    const own = this.families.filter((_, i) => i % connections === n);
    let cursor = 0;
    let current: Family | undefined;
    return [
      {
        method: 'POST',
        path: '/auth/refresh',
        headers: { 'content-type': 'application/json' },
        setupRequest: (req) => {
          // The last request of this connection never got an answer (timeout, reset).
          if (current?.inFlight) current.tainted = true;
          current = this.nextOf(own, cursor);
          cursor += 1;
          // Every family of this connection is spoilt: say so with a refusal (an error), never
          // with a cheap request that would pass for throughput.
          if (!current) return { ...req, body: JSON.stringify({ refresh_token: 'exhausted' }) };
          current.inFlight = true;
          return { ...req, body: JSON.stringify({ refresh_token: current.token }) };
        },
        onResponse: (status, body) => {
          const family = current;
          if (!family?.inFlight) return;
          family.inFlight = false;
          if (status !== 200) {
            family.tainted = true;
            return;
          }
          this.accept(family, body);
        },
      },
    ];
  }

  /** After a run: a family whose answer never came is in an unknown state. */
  settle(): void {
    for (const f of this.families) {
      if (f.inFlight) f.tainted = true;
      f.inFlight = false;
    }
  }

  /** Families whose current token is known good. */
  healthy(): { token: string }[] {
    return this.families.filter((f) => !f.tainted);
  }

  private accept(family: Family, body: string): void {
    if (this.accepted.has(family.token)) this.acceptedTwice += 1;
    this.accepted.add(family.token);
    const pair = JSON.parse(body) as { refresh_token?: string; access_token?: string };
    if (!pair.refresh_token) {
      family.tainted = true;
      return;
    }
    family.token = pair.refresh_token;
    family.accessToken = pair.access_token ?? family.accessToken;
    this.rotations += 1;
  }

  private nextOf(own: Family[], cursor: number): Family | undefined {
    for (let k = 0; k < own.length; k++) {
      const f = own[(cursor + k) % own.length];
      if (f && !f.tainted) return f;
    }
    return undefined;
  }
}
