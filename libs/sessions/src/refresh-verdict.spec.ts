import { judgeRefresh } from './refresh-verdict';
import type { RefreshTokenStatus, SessionStatus } from './sessions.tables';

const NOW = new Date('2030-01-10T12:00:00Z');
const IDLE = 3_600;
const WINDOW = 10;
const later = (s: number) => new Date(NOW.getTime() + Math.round(s * 1000));

function judge(
  sessionStatus: SessionStatus,
  tokenStatus: RefreshTokenStatus,
  at: {
    expiresIn?: number;
    idleFor?: number;
    /** Seconds since the token was rotated (a `used` token). */
    usedAgo?: number;
    successor?: RefreshTokenStatus | null;
    window?: number;
  } = {},
) {
  const expiresAt = later(at.expiresIn ?? 86_400);
  return judgeRefresh(
    {
      session: { status: sessionStatus, expiresAt, lastUsedAt: later(-(at.idleFor ?? 60)) },
      token: {
        status: tokenStatus,
        expiresAt,
        usedAt: tokenStatus === 'used' ? later(-(at.usedAgo ?? 60)) : null,
      },
      successor: at.successor === undefined ? null : at.successor && { status: at.successor },
    },
    NOW,
    { idleTtlSeconds: IDLE, retryWindowSeconds: at.window ?? WINDOW },
  );
}

describe('judgeRefresh', () => {
  it('rotates the current token of a live family', () => {
    expect(judge('active', 'active')).toBe('rotate');
  });

  it('treats a rotated token of a live family as reuse', () => {
    expect(judge('active', 'used')).toBe('reuse');
  });

  it('answers reuse again, without side effects, once the family is compromised', () => {
    expect(judge('compromised', 'used')).toBe('reuse_known');
    expect(judge('compromised', 'used', { usedAgo: 1, successor: 'revoked' })).toBe('reuse_known');
    expect(judge('compromised', 'revoked')).toBe('invalid');
  });

  it('refuses every token of a family revoked otherwise', () => {
    for (const status of ['active', 'used', 'revoked'] as const) {
      expect(judge('revoked', status)).toBe('invalid');
      expect(judge('revoked', status, { usedAgo: 1, successor: 'revoked' })).toBe('invalid');
    }
  });

  it('refuses an expired family at and after its absolute expiry', () => {
    expect(judge('active', 'active', { expiresIn: 0 })).toBe('invalid');
    expect(judge('active', 'used', { expiresIn: -1 })).toBe('invalid');
    expect(judge('active', 'used', { expiresIn: 0, usedAgo: 1, successor: 'active' })).toBe(
      'invalid',
    );
    expect(judge('active', 'active', { expiresIn: 1 })).toBe('rotate');
  });

  it('refuses an idle family', () => {
    expect(judge('active', 'active', { idleFor: IDLE + 1 })).toBe('invalid');
    expect(judge('active', 'active', { idleFor: IDLE })).toBe('rotate');
  });

  describe('the retry window', () => {
    it('retries a token rotated within the window while its successor is unused', () => {
      expect(judge('active', 'used', { usedAgo: 0, successor: 'active' })).toBe('retry');
      expect(judge('active', 'used', { usedAgo: 3, successor: 'active' })).toBe('retry');
    });

    it('includes the edge of the window and not a millisecond more', () => {
      expect(judge('active', 'used', { usedAgo: WINDOW, successor: 'active' })).toBe('retry');
      expect(judge('active', 'used', { usedAgo: WINDOW + 0.001, successor: 'active' })).toBe(
        'reuse',
      );
    });

    it('is reuse once the successor was presented, or when there is none', () => {
      expect(judge('active', 'used', { usedAgo: 1, successor: 'used' })).toBe('reuse');
      expect(judge('active', 'used', { usedAgo: 1, successor: 'revoked' })).toBe('reuse');
      expect(judge('active', 'used', { usedAgo: 1, successor: null })).toBe('reuse');
    });

    it('is off with a window of 0', () => {
      expect(judge('active', 'used', { usedAgo: 0, successor: 'active', window: 0 })).toBe('reuse');
    });
  });
});
