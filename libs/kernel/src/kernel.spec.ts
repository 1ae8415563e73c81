import { assertUnreachable, Clock, DomainError, isUuid, SystemClock } from './index';

class ExampleError extends DomainError<'example.refused' | 'example.gone'> {}

describe('isUuid', () => {
  it('accepts canonical UUIDs in any case, nothing else', () => {
    expect(isUuid('2f0c6b1e-4a8d-4c1e-9f3a-0b7d5e6c8a91')).toBe(true);
    expect(isUuid('2F0C6B1E-4A8D-4C1E-9F3A-0B7D5E6C8A91')).toBe(true);
    expect(isUuid('2f0c6b1e4a8d4c1e9f3a0b7d5e6c8a91')).toBe(false);
    expect(isUuid(' 2f0c6b1e-4a8d-4c1e-9f3a-0b7d5e6c8a91')).toBe(false);
    expect(isUuid("1' OR '1'='1")).toBe(false);
    expect(isUuid('')).toBe(false);
    expect(isUuid(undefined)).toBe(false);
    expect(isUuid(42)).toBe(false);
  });
});

describe('DomainError', () => {
  it('carries its typed code, the subclass name and the code as a safe message', () => {
    const err = new ExampleError('example.refused');
    expect(err).toBeInstanceOf(DomainError);
    expect(err).toBeInstanceOf(Error);
    expect(err.code).toBe('example.refused');
    expect(err.name).toBe('ExampleError');
    expect(err.message).toBe('example.refused');
    expect(err.details).toEqual([]);
  });

  it('keeps details, a message and a cause when given', () => {
    const cause = new Error('inner');
    const err = new ExampleError('example.gone', { details: ['a', 'b'], message: 'gone', cause });
    expect(err.details).toEqual(['a', 'b']);
    expect(err.message).toBe('gone');
    expect(err.cause).toBe(cause);
  });
});

describe('assertUnreachable', () => {
  it('throws, naming the value it was handed at run time', () => {
    expect(() => assertUnreachable('surprise' as never, 'code')).toThrow(
      'unhandled code: surprise',
    );
  });
});

describe('Clock', () => {
  class FixedClock extends Clock {
    now(): Date {
      return new Date('2026-01-01T00:00:10.900Z');
    }
  }

  it('derives milliseconds, whole seconds and offsets from now()', () => {
    const clock = new FixedClock();
    expect(clock.nowMs()).toBe(Date.parse('2026-01-01T00:00:10.900Z'));
    expect(clock.nowSeconds()).toBe(Date.parse('2026-01-01T00:00:10Z') / 1000);
    expect(clock.after(5).toISOString()).toBe('2026-01-01T00:00:15.900Z');
    expect(clock.before(10).toISOString()).toBe('2026-01-01T00:00:00.900Z');
  });

  it('the system clock follows the machine', () => {
    const before = Date.now();
    const now = new SystemClock().nowMs();
    expect(now).toBeGreaterThanOrEqual(before);
    expect(now).toBeLessThanOrEqual(Date.now());
  });
});
