import { type AuditTestApp, createAuditTestApp } from './audit-test-app';

const ALICE = '1b3f4e6a-5e2a-4c9d-8d0c-2f4b6a8e1c3d';
const BOB = '7d9f4b2d-9c1e-4a5b-8e6a-0c2e4a6b8d0f';

describe('AuditLogRepository.list and AuditService.list', () => {
  let app: AuditTestApp;
  /** Ids of the seeded rows, oldest first. */
  const ids: { id: string; userId: string; type: string }[] = [];

  beforeAll(async () => {
    app = await createAuditTestApp('audit_list');
    const seed: [string, string][] = [
      [ALICE, 'auth.login.succeeded'],
      [BOB, 'auth.login.succeeded'],
      [ALICE, 'mfa.enabled'],
      [ALICE, 'auth.login.succeeded'],
      [BOB, 'mfa.enabled'],
      [ALICE, 'auth.login.succeeded'],
    ];
    await app.db.withTransaction(async (m) => {
      for (const [userId, type] of seed) {
        const row = await app.auditLog.append(
          {
            type,
            userId,
            metadata: { n: ids.length },
            createdAt: new Date(),
          },
          m,
        );
        ids.push({ id: row.id, userId, type });
      }
    });
  });

  afterAll(() => app.close());

  const newestFirst = (pred: (r: (typeof ids)[number]) => boolean) =>
    ids
      .filter(pred)
      .map((r) => r.id)
      .reverse();

  it('lists newest first, filtered by user, by type, or both', async () => {
    const byAlice = await app.auditLog.list({ userId: ALICE });
    expect(byAlice.rows.map((r) => r.id)).toEqual(newestFirst((r) => r.userId === ALICE));
    expect(byAlice.nextBefore).toBeNull();

    const mfa = await app.auditLog.list({ type: 'mfa.enabled' });
    expect(mfa.rows.map((r) => r.id)).toEqual(newestFirst((r) => r.type === 'mfa.enabled'));

    const aliceLogins = await app.auditLog.list({ userId: ALICE, type: 'auth.login.succeeded' });
    expect(aliceLogins.rows.map((r) => r.id)).toEqual(
      newestFirst((r) => r.userId === ALICE && r.type === 'auth.login.succeeded'),
    );
  });

  it('pages with before = nextBefore until nextBefore is null', async () => {
    const seen: string[] = [];
    let before: string | undefined;
    for (let page = 0; page < 10; page++) {
      const result = await app.auditLog.list({ limit: 4, before });
      seen.push(...result.rows.map((r) => r.id));
      if (result.nextBefore === null) break;
      expect(result.nextBefore).toBe(result.rows.at(-1)?.id);
      before = result.nextBefore;
    }
    expect(seen).toEqual(newestFirst(() => true));

    // Exactly `limit` rows left: no phantom next page.
    const lastTwo = await app.auditLog.list({ limit: 2, before: ids[2]!.id });
    expect(lastTwo.rows.map((r) => r.id)).toEqual([ids[1]!.id, ids[0]!.id]);
    expect(lastTwo.nextBefore).toBeNull();
  });

  it('clamps the limit to 1..200, defaulting to 50', async () => {
    await app.db.withTransaction(async (m) => {
      for (let i = 0; i < 210; i++) {
        await app.auditLog.append(
          {
            type: 'auth.login.throttled',
            metadata: {},
            createdAt: new Date(),
          },
          m,
        );
      }
    });
    expect((await app.auditLog.list({ limit: 0 })).rows).toHaveLength(1);
    expect((await app.auditLog.list({ limit: -5 })).rows).toHaveLength(1);
    expect((await app.auditLog.list({ limit: 1000 })).rows).toHaveLength(200);
    expect((await app.auditLog.list({})).rows).toHaveLength(50);
    expect((await app.auditLog.list({ limit: Number.NaN })).rows).toHaveLength(50);
  });

  it('maps rows to the API shape in AuditService', async () => {
    const page = await app.service.list({ userId: BOB, limit: 1 });
    expect(page).toEqual({
      items: [
        {
          id: ids[4]!.id,
          type: 'mfa.enabled',
          user_id: BOB,
          created_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
          metadata: { n: 4 },
        },
      ],
      next_before: ids[4]!.id,
    });
  });
});
