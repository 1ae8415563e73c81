import { revocationTargets } from './revocation-push';

const at = new Date('2026-01-02T03:04:05.000Z');
const user = '0b5b6a4e-3f43-4a39-9d0a-6f3c1d1b0a11';
const [s1, s2] = ['5d9f3c52-0f0e-4d7a-9a57-8f0f4b8a2c01', '5d9f3c52-0f0e-4d7a-9a57-8f0f4b8a2c02'];

describe('revocationTargets', () => {
  it('scope session: each named session room, with its id', () => {
    expect(
      revocationTargets(
        { userId: user, scope: 'session', reason: 'logout', sessionIds: [s1, s2] },
        at,
      ),
    ).toEqual([
      {
        room: `session:${s1}`,
        message: { scope: 'session', session_id: s1, reason: 'logout', at: at.toISOString() },
      },
      {
        room: `session:${s2}`,
        message: { scope: 'session', session_id: s2, reason: 'logout', at: at.toISOString() },
      },
    ]);
  });

  it('scope user: the user room, no session id', () => {
    expect(
      revocationTargets(
        { userId: user, scope: 'user', reason: 'logout_all', sessionIds: [s1, s2] },
        at,
      ),
    ).toEqual([
      {
        room: `user:${user}`,
        message: { scope: 'user', reason: 'logout_all', at: at.toISOString() },
      },
    ]);
  });

  it('scope user with a kept session (password change): that session room is spared', () => {
    expect(
      revocationTargets(
        {
          userId: user,
          scope: 'user',
          reason: 'password_changed',
          sessionIds: [s2],
          keptSessionId: s1,
        },
        at,
      ),
    ).toEqual([
      {
        room: `user:${user}`,
        except: `session:${s1}`,
        message: { scope: 'user', reason: 'password_changed', at: at.toISOString() },
      },
    ]);
  });
});
