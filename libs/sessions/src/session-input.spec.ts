import { clipText, DEVICE_NAME_MAX, isUuid } from './session-input';

describe('session input', () => {
  it('recognises canonical uuids only', () => {
    expect(isUuid('2f0c6b1e-4a8d-4c1e-9f3a-0b7d5e6c8a91')).toBe(true);
    expect(isUuid('2F0C6B1E-4A8D-4C1E-9F3A-0B7D5E6C8A91')).toBe(true);
    expect(isUuid('2f0c6b1e4a8d4c1e9f3a0b7d5e6c8a91')).toBe(false);
    expect(isUuid("1' OR '1'='1")).toBe(false);
    expect(isUuid('')).toBe(false);
    expect(isUuid(undefined)).toBe(false);
  });

  it('trims, drops control characters and caps the length', () => {
    expect(clipText('  Pixel 9  ', DEVICE_NAME_MAX)).toBe('Pixel 9');
    expect(clipText('a\nb\u001b[31mc', DEVICE_NAME_MAX)).toBe('a b [31mc');
    expect(clipText('x'.repeat(150), DEVICE_NAME_MAX)).toHaveLength(100);
    expect(clipText('   ', DEVICE_NAME_MAX)).toBeNull();
    expect(clipText(undefined, DEVICE_NAME_MAX)).toBeNull();
  });

  it('never splits a surrogate pair', () => {
    const clipped = clipText('😀'.repeat(101), DEVICE_NAME_MAX);
    expect(Array.from(clipped ?? '')).toHaveLength(100);
    expect(clipped).toBe('😀'.repeat(100));
  });
});
