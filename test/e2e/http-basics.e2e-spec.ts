/**
 * The HTTP contract every route shares (API.md "Conventions" and "Details"): problem+json
 * for unknown routes, unparseable or oversized bodies and non-JSON bodies; X-Request-Id
 * echoed when well-formed and replaced otherwise; security headers; metrics by route.
 */
import request from 'supertest';
import { startTestApp, type TestApp } from '../support/app';

describe('HTTP basics', () => {
  let app: TestApp;

  beforeAll(async () => {
    app = await startTestApp({ label: 'http_basics', env: { BODY_LIMIT: '1kb' } });
  });
  afterAll(() => app.close());

  const expectProblem = (res: request.Response, status: number, code: string) => {
    expect(res.status).toBe(status);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.body).toEqual({
      type: expect.any(String),
      title: expect.any(String),
      status,
      detail: expect.any(String),
      code,
    });
  };

  it('answers unknown routes with 404 not_found', async () => {
    const res = await request(app.url).get('/no/such/route');
    expectProblem(res, 404, 'not_found');
  });

  it('answers malformed JSON with 400 malformed_request', async () => {
    const res = await request(app.url)
      .post('/auth/login')
      .set('Content-Type', 'application/json')
      .send('{"email": "a@b.c",');
    expectProblem(res, 400, 'malformed_request');
  });

  it('answers an oversized body with 413 payload_too_large', async () => {
    const res = await request(app.url)
      .post('/auth/login')
      .set('Content-Type', 'application/json')
      .send(JSON.stringify({ email: 'a@b.c', password: 'x'.repeat(4096) }));
    expectProblem(res, 413, 'payload_too_large');
  });

  it('answers a non-JSON body with 415 unsupported_media_type', async () => {
    const res = await request(app.url)
      .post('/auth/login')
      .set('Content-Type', 'text/plain')
      .send('email=a@b.c');
    expectProblem(res, 415, 'unsupported_media_type');
  });

  it('echoes a well-formed X-Request-Id and replaces a bad one', async () => {
    const good = await request(app.url).get('/healthz').set('X-Request-Id', 'abc-123:x.y_z');
    expect(good.headers['x-request-id']).toBe('abc-123:x.y_z');
    const bad = await request(app.url).get('/healthz').set('X-Request-Id', 'bad id<script>');
    expect(bad.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    const tooLong = await request(app.url).get('/healthz').set('X-Request-Id', 'a'.repeat(129));
    expect(tooLong.headers['x-request-id']).not.toBe('a'.repeat(129));
    const none = await request(app.url).get('/no/such/route');
    expect(none.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    // Answers written before Nest's router (body-parser errors) carry one too.
    const malformed = await request(app.url)
      .post('/auth/login')
      .set('Content-Type', 'application/json')
      .set('X-Request-Id', 'trace-413')
      .send('{"broken":');
    expect(malformed.status).toBe(400);
    expect(malformed.headers['x-request-id']).toBe('trace-413');
    const unsupported = await request(app.url)
      .post('/auth/login')
      .set('Content-Type', 'text/plain')
      .send('x');
    expect(unsupported.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('sends security headers and hides the framework', async () => {
    const res = await request(app.url).get('/healthz');
    expect(res.headers['strict-transport-security']).toMatch(/max-age=\d+/);
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['content-security-policy']).toMatch(/default-src 'self'/);
    expect(res.headers['x-powered-by']).toBeUndefined();
  });

  it('serves liveness, readiness and Prometheus metrics by route pattern', async () => {
    expect((await request(app.url).get('/healthz')).status).toBe(200);
    const ready = await request(app.url).get('/readyz');
    expect(ready.status).toBe(200);
    expect(ready.body).toEqual({
      status: 'ready',
      checks: { postgres: 'up', redis: 'up', denylist: 'up' },
    });
    const metrics = await request(app.url).get('/metrics');
    expect(metrics.status).toBe(200);
    expect(metrics.headers['content-type']).toMatch(/^text\/plain/);
    expect(metrics.text).toMatch(/process_cpu_user_seconds_total/);
    expect(metrics.text).toMatch(
      /http_request_duration_seconds_count\{method="GET",route="\/healthz",status="200"\} \d+/,
    );
    expect(metrics.text).toMatch(/route="unmatched",status="404"/);
    expect(metrics.text).not.toMatch(/no\/such\/route/);
  });

  it('never writes query strings (which may hold tokens) to the request log', async () => {
    await request(app.url).get('/no/such/route?token=SECRET-TOKEN-VALUE-123');
    await new Promise((r) => setTimeout(r, 50));
    const joined = app.logs.join('\n');
    expect(joined).toMatch(/\/no\/such\/route/);
    expect(joined).not.toMatch(/SECRET-TOKEN-VALUE-123/);
  });
});
