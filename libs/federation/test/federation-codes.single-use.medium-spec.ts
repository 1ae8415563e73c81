/**
 * The one-time codes of federated sign-in against real Postgres: an exchange code or link
 * token works once however many requests race for it (one `DELETE ... RETURNING`), only for
 * what it was issued for (its kind, and for link tokens its account: a mismatch leaves it to
 * its owner), and not from the end of its lifetime on, as the app's Clock says. Expired codes
 * are swept as new ones are written, and the table never holds a plain code.
 */
import { createHash } from 'node:crypto';
import { ManualClock, startDomainApp, type DomainTestApp } from '@identity/testing';
import { FederationCodeRepository } from '../src/federation-code.repository';

describe('federation codes', () => {
  const clock = new ManualClock();
  let app: DomainTestApp;
  let codes: FederationCodeRepository;
  let userId: string;
  let otherId: string;

  beforeAll(async () => {
    app = await startDomainApp({ label: 'federation_codes', clock });
    codes = new FederationCodeRepository(app.database, clock);
    userId = (await app.factory.create()).id;
    otherId = (await app.factory.create()).id;
  });
  afterAll(() => app.close());

  const issue = (kind: 'sign_in' | 'link_offer' | 'link', ttlSeconds = 60) =>
    codes.issue({ kind, userId, provider: 'google', subject: 's-1', email: null, ttlSeconds });

  it('works once, for its own kind only', async () => {
    const code = await issue('sign_in');
    expect(await codes.take(code, { kinds: ['link'] })).toBeNull();
    expect(await codes.take(code, { kinds: ['sign_in', 'link_offer'] })).toMatchObject({
      kind: 'sign_in',
      userId,
      provider: 'google',
      subject: 's-1',
    });
    expect(await codes.take(code, { kinds: ['sign_in', 'link_offer'] })).toBeNull();
  });

  it('is left alone when presented for another account, and works for its own', async () => {
    const token = await issue('link');
    expect(await codes.take(token, { kinds: ['link'], userId: otherId })).toBeNull();
    expect(await codes.take(token, { kinds: ['link'], userId })).toMatchObject({ userId });
  });

  it('goes to exactly one of many simultaneous takers', async () => {
    const code = await issue('sign_in');
    const results = await Promise.all(
      Array.from({ length: 10 }, () => codes.take(code, { kinds: ['sign_in'] })),
    );
    expect(results.filter((r) => r !== null)).toHaveLength(1);
  });

  it('is refused from the end of its lifetime on, by the Clock', async () => {
    const early = await issue('sign_in', 60);
    const late = await issue('sign_in', 60);
    clock.advance(59);
    expect(await codes.take(early, { kinds: ['sign_in'] })).not.toBeNull();
    clock.advance(1);
    expect(await codes.take(late, { kinds: ['sign_in'] })).toBeNull();
  });

  it('keeps only hashes, and sweeps expired codes as new ones are written', async () => {
    const stale = await issue('link_offer', 60);
    clock.advance(61);
    const fresh = await issue('link_offer', 60);
    const rows = await app.database.query<{ code_hash: string }>(
      `SELECT code_hash FROM federation_codes`,
    );
    const hash = (c: string) => createHash('sha256').update(c).digest('hex');
    expect(rows.map((r) => r.code_hash)).toEqual([hash(fresh)]);
    expect(JSON.stringify(rows)).not.toContain(fresh);
    expect(rows.map((r) => r.code_hash)).not.toContain(hash(stale));
  });

  it('does not look up strings longer than anything it issues', async () => {
    expect(await codes.take('x'.repeat(10_000), { kinds: ['sign_in'] })).toBeNull();
    expect(await codes.take('', { kinds: ['sign_in'] })).toBeNull();
  });
});
