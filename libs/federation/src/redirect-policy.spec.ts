import { FederationError } from './federation.errors';
import { RedirectPolicy } from './redirect-policy';

const policy = new RedirectPolicy('https://id.example.com/', ['https://app.example.com']);

function refused(target: string): boolean {
  try {
    policy.resolve(target);
    return false;
  } catch (err) {
    if (err instanceof FederationError && err.code === 'federation.redirect_not_allowed')
      return true;
    throw err;
  }
}

describe('RedirectPolicy', () => {
  it('returns to APP_URL when no redirect_to is given', () => {
    expect(policy.resolve(undefined)).toBe('https://id.example.com/');
    expect(policy.resolve('')).toBe('https://id.example.com/');
    expect(policy.fallback).toBe('https://id.example.com/');
  });

  it('accepts APP_URL, paths on it and allowed origins', () => {
    expect(policy.resolve('https://id.example.com/account')).toBe('https://id.example.com/account');
    expect(policy.resolve('/account?tab=1')).toBe('https://id.example.com/account?tab=1');
    expect(policy.resolve('https://app.example.com/cb?x=1#frag')).toBe(
      'https://app.example.com/cb?x=1#frag',
    );
    expect(policy.resolve('https://APP.example.com:443/cb')).toBe('https://app.example.com/cb');
  });

  it.each([
    'https://evil.example/',
    '//evil.example/x',
    '/\\evil.example/x',
    '\\\\evil.example/x',
    'https://app.example.com.evil.example/',
    'https://app.example.com@evil.example/',
    'https://user:pw@app.example.com/',
    'http://app.example.com/',
    'https://app.example.com:8443/',
    'javascript:alert(1)',
    'data:text/html,x',
    `https://app.example.com/${'a'.repeat(2048)}`,
  ])('refuses %s', (target) => {
    expect(refused(target)).toBe(true);
  });
});
