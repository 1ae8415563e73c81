/**
 * What a database leak (a backup, a replica, a SQL injection elsewhere) hands out. Refresh
 * tokens are bearer secrets: stored in clear, a leak would let anyone resume every session,
 * so only their SHA-256 is kept. Client IPs are personal data: only a keyed hash is stored or
 * emitted, so a leak of `sessions` or `audit_log` does not reveal where users log in from
 * (and a plain hash would be reversed by trying all IPv4 addresses).
 */
import { createHash } from 'node:crypto';
import { IpHasher } from '../src';
import {
  createUser,
  openSession,
  refreshOutcome,
  type SessionsTestApp,
  startSessionsApp,
} from './sessions-test-app';

const IP = '198.51.100.173';
const IPV6 = '2001:db8::beef:17';

describe('session storage confidentiality', () => {
  let app: SessionsTestApp;

  beforeAll(async () => {
    // The window off: a stale token that comes back at once is reuse, so the compromised
    // families these tests need are made on the spot.
    app = await startSessionsApp('sessions_confidential', { REFRESH_RETRY_WINDOW: '0' });
  });

  afterAll(async () => {
    await app.close();
  });

  /** Rows of `table` whose text form contains `needle` anywhere. */
  async function rowsContaining(table: string, needle: string): Promise<number> {
    const rows = await app.sql.query<unknown[]>(
      `SELECT 1 FROM ${table} t WHERE position($1 in t::text) > 0`,
      [needle],
    );
    return rows.length;
  }

  it('stores refresh tokens as SHA-256 hashes only', async () => {
    const userId = await createUser(app);
    const login = await openSession(app, userId);
    const rotated = await app.sessions.refresh(login.refreshToken, { ip: IP });
    for (const token of [login.refreshToken, rotated.refreshToken]) {
      expect(await rowsContaining('refresh_tokens', token)).toBe(0);
      expect(await rowsContaining('sessions', token)).toBe(0);
      expect(await rowsContaining('audit_log', token)).toBe(0);
    }
    const hashes = await app.sql.query<{ token_hash: string }[]>(
      `SELECT token_hash FROM refresh_tokens WHERE session_id = $1 ORDER BY created_at`,
      [login.sessionId],
    );
    expect(hashes.map((h) => h.token_hash)).toEqual(
      [login.refreshToken, rotated.refreshToken].map((t) =>
        createHash('sha256').update(t).digest('hex'),
      ),
    );
  });

  it('never stores or emits a raw IP, only its keyed hash', async () => {
    const userId = await createUser(app);
    const login = await openSession(app, userId, { client: { ip: IP, userAgent: 'ua' } });
    const rotated = await app.sessions.refresh(login.refreshToken, { ip: IPV6 });
    // Reuse records the presenter's IP (hashed) in the audit log.
    expect(await refreshOutcome(app, login.refreshToken, { ip: IP })).toBe(
      'session.refresh_reused',
    );
    expect(rotated.sessionId).toBe(login.sessionId);
    for (const table of ['sessions', 'refresh_tokens', 'audit_log']) {
      expect(await rowsContaining(table, IP)).toBe(0);
      expect(await rowsContaining(table, IPV6)).toBe(0);
    }
    const hasher = app.module.get(IpHasher);
    const [row] = await app.sql.query<{ ip_hash: string }[]>(
      `SELECT ip_hash FROM sessions WHERE id = $1`,
      [login.sessionId],
    );
    expect(row!.ip_hash).toBe(hasher.hash(IPV6));
    const [reused] = await app.sql.query<{ ip_hash: string }[]>(
      `SELECT ip_hash FROM audit_log WHERE type = 'auth.refresh.reused' AND user_id = $1`,
      [userId],
    );
    expect(reused!.ip_hash).toBe(hasher.hash(IP));
    expect(hasher.hash(IP)).not.toBe(createHash('sha256').update(IP).digest('hex'));
    expect(hasher.hash(`::ffff:${IP}`)).toBe(hasher.hash(IP));
  });
});
