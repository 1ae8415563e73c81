import { isOwnOrigin } from './socket-io.adapter';

describe('isOwnOrigin (the socket.io handshake admits the page that the server itself served)', () => {
  it('admits the Origin whose host and port are the Host the browser asked', () => {
    expect(isOwnOrigin('http://127.0.0.1:3000', '127.0.0.1:3000')).toBe(true);
    expect(isOwnOrigin('https://id.example.com', 'id.example.com')).toBe(true);
    expect(isOwnOrigin('http://LOCALHOST:3000', 'localhost:3000')).toBe(true);
    expect(isOwnOrigin('http://[::1]:3000', '[::1]:3000')).toBe(true);
  });

  it('refuses any other origin, port or scheme, and a request without a Host', () => {
    expect(isOwnOrigin('https://evil.example', '127.0.0.1:3000')).toBe(false);
    expect(isOwnOrigin('http://127.0.0.1:4000', '127.0.0.1:3000')).toBe(false);
    expect(isOwnOrigin('http://127.0.0.1.evil.example:3000', '127.0.0.1:3000')).toBe(false);
    expect(isOwnOrigin('file://127.0.0.1:3000', '127.0.0.1:3000')).toBe(false);
    expect(isOwnOrigin('null', '127.0.0.1:3000')).toBe(false);
    expect(isOwnOrigin('http://127.0.0.1:3000', undefined)).toBe(false);
  });
});
