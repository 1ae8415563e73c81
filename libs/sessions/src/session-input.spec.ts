import { clipText, DEVICE_NAME_MAX } from './session-input';

describe('session input', () => {
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
