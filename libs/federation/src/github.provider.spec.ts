import { vouchedEmail } from './github.provider';

describe('vouchedEmail (GitHub)', () => {
  it('takes the primary address when GitHub has verified it', () => {
    expect(
      vouchedEmail([
        { email: 'old@example.com', primary: false, verified: true },
        { email: 'main@example.com', primary: true, verified: true },
      ]),
    ).toEqual({ email: 'main@example.com', emailVerified: true });
  });

  it('vouches for nothing when the primary is unverified, even beside a verified one', () => {
    expect(
      vouchedEmail([
        { email: 'claimed@example.com', primary: true, verified: false },
        { email: 'verified@example.com', primary: false, verified: true },
      ]),
    ).toEqual({ email: null, emailVerified: false });
  });

  it('vouches for nothing without addresses', () => {
    expect(vouchedEmail([])).toEqual({ email: null, emailVerified: false });
  });
});
