import {
  canonicalRecoveryCode,
  newRecoveryCode,
  newRecoveryCodes,
  RECOVERY_CODE_COUNT,
  RecoveryCodeHasher,
} from './recovery-codes';

describe('recovery codes', () => {
  it('are ten distinct xxxxx-xxxxx codes over a 32-symbol alphabet without look-alikes', () => {
    const codes = newRecoveryCodes();
    expect(codes).toHaveLength(RECOVERY_CODE_COUNT);
    expect(new Set(codes).size).toBe(RECOVERY_CODE_COUNT);
    for (const code of codes) expect(code).toMatch(/^[a-km-np-z2-9]{5}-[a-km-np-z2-9]{5}$/);
  });

  it('use every symbol of the alphabet (no symbol is unreachable)', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 400; i++) for (const c of newRecoveryCode().replace('-', '')) seen.add(c);
    expect(seen.size).toBe(32);
  });

  it('are read back however they were typed', () => {
    expect(canonicalRecoveryCode('abcde-fghij')).toBe('abcdefghij');
    expect(canonicalRecoveryCode(' ABCDE fghij ')).toBe('abcdefghij');
    expect(canonicalRecoveryCode('abcdefghij')).toBe('abcdefghij');
    for (const bad of ['', 'abcde-fghi', 'abcde-fghijk', 'abcde-fgh1j', 'abcde_fghij']) {
      expect(canonicalRecoveryCode(bad)).toBeNull();
    }
  });

  it('hash with a key: deterministic per user and key, different across users and keys', () => {
    const hasher = new RecoveryCodeHasher(Buffer.alloc(32, 1));
    const h = hasher.hash('user-1', 'abcdefghij');
    expect(h).toBe(hasher.hash('user-1', 'abcdefghij'));
    expect(h).not.toContain('abcdefghij');
    expect(hasher.hash('user-2', 'abcdefghij')).not.toBe(h);
    expect(new RecoveryCodeHasher(Buffer.alloc(32, 2)).hash('user-1', 'abcdefghij')).not.toBe(h);
  });
});
