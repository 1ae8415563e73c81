import { gzipSync, gunzipSync } from 'node:zlib';
import { toProblem } from './problem-details.filter';

/**
 * Errors as body-parser hands them over: raw-body's read errors and zlib's decompression
 * errors, passed through http-errors' `createError(400, err)`, which sets `status`,
 * `statusCode` and `expose` (true below 500).
 */
function bodyParserError(err: Error, type?: string): Error {
  return Object.assign(err, { status: 400, statusCode: 400, expose: true }, type ? { type } : {});
}

function zlibError(): Error {
  const truncated = gzipSync(Buffer.from('{"email":"a@b.example"}')).subarray(0, 12);
  try {
    gunzipSync(truncated);
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected a zlib error');
}

describe('toProblem', () => {
  it('answers 400 malformed_request for a body that cannot be read or decoded', () => {
    const cases = [
      bodyParserError(
        new Error('request size did not match content length'),
        'request.size.invalid',
      ),
      bodyParserError(new Error('request aborted'), 'request.aborted'),
      bodyParserError(zlibError()),
    ];
    for (const err of cases) {
      expect(toProblem(err).body).toMatchObject({ status: 400, code: 'malformed_request' });
    }
  });

  it('answers 503 unavailable with Retry-After when Postgres or Redis is down', () => {
    for (const err of [
      Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }),
      new Error("Stream isn't writeable and enableOfflineQueue options is false"),
    ]) {
      const { body, headers } = toProblem(err);
      expect(body).toMatchObject({ status: 503, code: 'unavailable' });
      expect(headers).toEqual({ 'Retry-After': '5' });
    }
  });

  it('keeps anything else a plain 500 without detail', () => {
    const err = Object.assign(new Error('relation "users" does not exist'), { code: '42P01' });
    expect(toProblem(err).body).toMatchObject({ status: 500, code: 'internal' });
    expect(JSON.stringify(toProblem(err).body)).not.toContain('users');
    // A 4xx-looking error that is not an http-errors client error stays unknown.
    expect(toProblem(Object.assign(new Error('x'), { status: 400 })).body.status).toBe(500);
  });
});
