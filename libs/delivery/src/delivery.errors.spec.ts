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

  it('redacts email addresses and whatever an SMTP reply wraps in angle brackets', () => {
    const err = Object.assign(
      new Error(
        "Can't send mail - all recipients were rejected: 550 5.1.1 <Bob.Secret+tag@customer.example>: " +
          'Recipient address rejected (bob.secret@customer.example; RCPT TO:<x@y.example> SIZE=10)',
      ),
      { code: 'EENVELOPE' },
    );
    const text = describeDeliveryError(err);
    expect(text).not.toMatch(/secret|customer|x@y/i);
    expect(text).toBe(
      "EENVELOPE: Can't send mail - all recipients were rejected: 550 5.1.1 <redacted>: " +
        'Recipient address rejected ([email]; RCPT TO:<redacted> SIZE=10)',
    );
  });

  it('keeps the blanked URL credentials readable next to the address rule', () => {
    expect(describeDeliveryError(new Error('POST https://u:p@hooks.example.com/x: 500'))).toBe(
      'POST https://***@hooks.example.com/x: 500',
    );
  });

  it('shortens long messages and accepts non-errors', () => {
    expect(describeDeliveryError(new Error('x'.repeat(1_000))).length).toBeLessThanOrEqual(300);
    expect(describeDeliveryError('plain')).toBe('plain');
  });
});
