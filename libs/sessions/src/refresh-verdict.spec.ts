import { judgeRefresh } from './refresh-verdict';
import type { RefreshTokenStatus, SessionStatus } from './sessions.tables';

const NOW = new Date('2030-01-10T12:00:00Z');
const IDLE = 3_600;
const later = (s: number) => new Date(NOW.getTime() + s * 1000);

function judge(
  sessionStatus: SessionStatus,
  tokenStatus: RefreshTokenStatus,
  at: { expiresIn?: number; idleFor?: number } = {},
) {
  const expiresAt = later(at.expiresIn ?? 86_400);
  return judgeRefresh(
    { status: sessionStatus, expiresAt, lastUsedAt: later(-(at.idleFor ?? 60)) },
    { status: tokenStatus, expiresAt },
    NOW,
    IDLE,
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
    expect(judge('compromised', 'revoked')).toBe('invalid');
  });

  it('refuses every token of a family revoked otherwise', () => {
    for (const status of ['active', 'used', 'revoked'] as const) {
      expect(judge('revoked', status)).toBe('invalid');
    }
  });

  it('refuses an expired family at and after its absolute expiry', () => {
    expect(judge('active', 'active', { expiresIn: 0 })).toBe('invalid');
    expect(judge('active', 'used', { expiresIn: -1 })).toBe('invalid');
    expect(judge('active', 'active', { expiresIn: 1 })).toBe('rotate');
  });

  it('refuses an idle family', () => {
    expect(judge('active', 'active', { idleFor: IDLE + 1 })).toBe('invalid');
    expect(judge('active', 'active', { idleFor: IDLE })).toBe('rotate');
  });
});
