import { ThrottledError } from './protection.errors';

describe('ThrottledError', () => {
  it('rounds the wait up to whole seconds, and never below 1', () => {
    expect(ThrottledError.after('protection.rate_limited', 1).retryAfterSeconds).toBe(1);
    expect(ThrottledError.after('protection.rate_limited', 1_000).retryAfterSeconds).toBe(1);
    expect(ThrottledError.after('protection.rate_limited', 1_001).retryAfterSeconds).toBe(2);
    expect(ThrottledError.after('protection.rate_limited', 0).retryAfterSeconds).toBe(1);
    expect(ThrottledError.after('protection.rate_limited', -1).retryAfterSeconds).toBe(1);
    expect(new ThrottledError('protection.too_many_attempts', 2.2).retryAfterSeconds).toBe(3);
    expect(new ThrottledError('protection.too_many_attempts', NaN).retryAfterSeconds).toBe(1);
  });

  it('names neither the limit nor what is left of it', () => {
    const err = new ThrottledError('protection.too_many_attempts', 900);
    expect(err.message).toBe('Too many attempts; retry later.');
    expect(Object.keys(err).sort()).toEqual(['code', 'details', 'name', 'retryAfterSeconds']);
    expect(err.details).toEqual([]);
  });
});
