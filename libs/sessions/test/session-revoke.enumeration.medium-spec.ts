/**
 * Revoking one listed session (`DELETE /auth/sessions/:id`). The id comes from the client, so
 * it is attacker-controlled: someone else's session must not be ended, and the answer must not
 * reveal that it exists (404 for foreign, unknown, ended and malformed ids alike: no oracle for
 * probing session ids). A malformed id never gets here: the transport answers it like an
 * unknown one at its edge (`IdParamPipe`, covered by test/e2e/sessions.e2e-spec.ts).
 */
import {
  accessState,
  auditOf,
  createUser,
  openSession,
  outcomeOf,
  refreshOutcome,
  sessionRow,
  type SessionsTestApp,
  startSessionsApp,
} from './sessions-test-app';

describe('revoke one session', () => {
  let app: SessionsTestApp;

  beforeAll(async () => {
    app = await startSessionsApp('sessions_revoke_one');
  });

  afterAll(async () => {
    await app.close();
  });

  it('ends one of the user’s own sessions, and only that one', async () => {
    const userId = await createUser(app);
    const laptop = await openSession(app, userId);
    const phone = await openSession(app, userId);
    await app.sessions.revoke(userId, phone.sessionId);

    expect(await sessionRow(app, phone.sessionId)).toMatchObject({
      status: 'revoked',
      revoked_reason: 'session_revoked',
    });
    expect(await accessState(app, phone.accessToken)).toBe('revoked');
    expect(await refreshOutcome(app, phone.refreshToken)).toBe('session.refresh_invalid');
    expect(await accessState(app, laptop.accessToken)).toBe('ok');
    const [event] = await auditOf(app, userId, 'session.revoked');
    expect(event).toMatchObject({
      session_id: phone.sessionId,
      metadata: { scope: 'session', reason: 'session_revoked', sessionIds: [phone.sessionId] },
    });
  });

  it('answers not_found for another user’s session, and leaves it alive', async () => {
    const owner = await createUser(app);
    const attacker = await createUser(app);
    const victim = await openSession(app, owner);
    expect(await outcomeOf(app.sessions.revoke(attacker, victim.sessionId))).toBe(
      'session.not_found',
    );
    expect((await sessionRow(app, victim.sessionId)).status).toBe('active');
    expect(await accessState(app, victim.accessToken)).toBe('ok');
    expect(await auditOf(app, owner)).toHaveLength(0);
  });

  it('answers not_found for unknown and already ended ids', async () => {
    const userId = await createUser(app);
    const ended = await openSession(app, userId);
    await app.sessions.revoke(userId, ended.sessionId);
    for (const id of [ended.sessionId, '00000000-0000-4000-8000-000000000000']) {
      expect(await outcomeOf(app.sessions.revoke(userId, id))).toBe('session.not_found');
    }
  });
});
