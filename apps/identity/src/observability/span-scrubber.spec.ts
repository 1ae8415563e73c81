import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { scrubAttributes, SpanScrubber } from './span-scrubber';

describe('scrubAttributes', () => {
  it('drops client address, user agent and query, old and stable conventions alike', () => {
    const attributes: Record<string, unknown> = {
      'http.method': 'POST',
      'http.route': '/auth/login',
      'http.status_code': 200,
      'http.user_agent': 'Mozilla/5.0',
      'user_agent.original': 'Mozilla/5.0',
      'net.peer.ip': '203.0.113.9',
      'network.peer.address': '203.0.113.9',
      'client.address': '203.0.113.9',
      'http.client_ip': '203.0.113.9',
      'url.query': 'token=abc',
    };
    scrubAttributes(attributes);
    expect(attributes).toEqual({
      'http.method': 'POST',
      'http.route': '/auth/login',
      'http.status_code': 200,
    });
  });

  it('keeps URLs and targets without their query string', () => {
    const attributes: Record<string, unknown> = {
      'http.url': 'http://id.example/auth/verify-email?token=secret',
      'http.target': '/auth/verify-email?token=secret',
      'url.full': 'https://idp.example/token?code=secret',
      'url.path': '/auth/me',
    };
    scrubAttributes(attributes);
    expect(attributes).toEqual({
      'http.url': 'http://id.example/auth/verify-email',
      'http.target': '/auth/verify-email',
      'url.full': 'https://idp.example/token',
      'url.path': '/auth/me',
    });
  });
});

describe('scrubAttributes of an outgoing request', () => {
  it('keeps only the origin: a receiver URL may carry its secret in the path', () => {
    const attributes: Record<string, unknown> = {
      'http.url': 'https://hooks.example.com/services/T0/B0/s3cr3t?x=1',
      'url.full': 'https://user:pw@hooks.example.com:8443/services/s3cr3t',
      'http.target': '/services/T0/B0/s3cr3t',
      'url.path': '/services/s3cr3t',
      'http.method': 'POST',
    };
    scrubAttributes(attributes, true);
    expect(attributes).toEqual({
      'http.url': 'https://hooks.example.com',
      'url.full': 'https://hooks.example.com:8443',
      'http.method': 'POST',
    });
  });
});

describe('SpanScrubber', () => {
  it('scrubs an ended span, its exception events and its status message', () => {
    const span = {
      kind: 0,
      attributes: { 'db.system': 'postgresql', 'net.peer.ip': '10.0.0.1' },
      events: [
        {
          name: 'exception',
          attributes: {
            'exception.type': 'QueryFailedError',
            'exception.message': 'Key (email)=(ann@example.com) already exists',
          },
        },
      ],
      status: { code: 2, message: 'Key (email)=(ann@example.com) already exists' },
    } as unknown as ReadableSpan;
    new SpanScrubber().onEnd(span);
    expect(span.attributes).toEqual({ 'db.system': 'postgresql' });
    expect(span.events[0]?.attributes).toEqual({ 'exception.type': 'QueryFailedError' });
    expect(span.status.message).toBeUndefined();
    expect(span.status.code).toBe(2);
  });
});
