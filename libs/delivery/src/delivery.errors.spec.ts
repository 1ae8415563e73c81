import { describeDeliveryError } from './delivery.errors';

describe('describeDeliveryError', () => {
  it('keeps the code and the first line', () => {
    const err = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:2525\nstack-ish'), {
      code: 'ESOCKET',
    });
    expect(describeDeliveryError(err)).toBe('ESOCKET: connect ECONNREFUSED 127.0.0.1:2525');
  });

  it('blanks URL credentials and token-like query values', () => {
    const err = new Error(
      'failed https://user:pw@hooks.example.com/x?token=SECRET1&a=1&signature=SECRET2',
    );
    const text = describeDeliveryError(err);
    expect(text).not.toMatch(/SECRET|pw@/);
    expect(text).toContain('token=***&a=1&signature=***');
  });

  it('shortens long messages and accepts non-errors', () => {
    expect(describeDeliveryError(new Error('x'.repeat(1_000))).length).toBeLessThanOrEqual(300);
    expect(describeDeliveryError('plain')).toBe('plain');
  });
});
