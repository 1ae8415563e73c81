import {
  type ArgumentsHost,
  Catch,
  type ExceptionFilter,
  HttpException,
  Logger,
  Optional,
} from '@nestjs/common';
import type { Request, Response } from 'express';
import {
  DEPENDENCY_RETRY_AFTER_SECONDS,
  DependencyOutages,
  isDependencyUnavailable,
} from '../../bootstrap/dependency-outage';
import { scrubForLog } from '../../bootstrap/log-scrub';
import { toHttpProblem } from './domain-errors';
import {
  PROBLEM_CONTENT_TYPE,
  type ProblemBody,
  problemBody,
  type ProblemCode,
  ProblemException,
} from './problem';

/** Codes for Nest's own HTTP exceptions (unknown routes, and the like), by status. */
function codeForStatus(status: number): ProblemCode {
  switch (status) {
    case 400:
      return 'malformed_request';
    case 401:
      return 'unauthorized';
    case 403:
      return 'forbidden';
    case 404:
      return 'not_found';
    case 405:
      return 'method_not_allowed';
    case 413:
      return 'payload_too_large';
    case 415:
      return 'unsupported_media_type';
    case 429:
      return 'rate_limited';
    case 503:
      return 'unavailable';
    default:
      return status >= 500 ? 'internal' : 'malformed_request';
  }
}

/** Turns a thrown value into the problem to answer; unknown errors become a plain 500. */
export function toProblem(thrown: unknown): { body: ProblemBody; headers: Record<string, string> } {
  const err = toHttpProblem(thrown);
  if (err instanceof ProblemException)
    return { body: err.toBody(), headers: err.options.headers ?? {} };
  if (err instanceof HttpException) {
    const status = err.getStatus();
    const code = codeForStatus(status);
    const detail =
      status === 404 ? 'No such resource.' : (STATUS_DETAIL[code] ?? 'Request failed.');
    return { body: problemBody(status, code, detail), headers: {} };
  }
  if (isDependencyUnavailable(err)) {
    return {
      body: problemBody(503, 'unavailable', 'A service this request needs is unavailable.'),
      headers: { 'Retry-After': String(DEPENDENCY_RETRY_AFTER_SECONDS) },
    };
  }
  const bodyParserType = (err as { type?: unknown } | null)?.type;
  switch (bodyParserType) {
    case 'entity.too.large':
      return {
        body: problemBody(413, 'payload_too_large', 'The request body is too large.'),
        headers: {},
      };
    case 'entity.parse.failed':
      return {
        body: problemBody(400, 'malformed_request', 'The request body is not valid JSON.'),
        headers: {},
      };
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return {
        body: problemBody(415, 'unsupported_media_type', 'Unsupported body encoding.'),
        headers: {},
      };
    default:
      return isBodyReadError(err)
        ? {
            // Bad gzip/deflate/br data, a body shorter than its Content-Length, an aborted upload.
            body: problemBody(400, 'malformed_request', 'The request body could not be read.'),
            headers: {},
          }
        : { body: problemBody(500, 'internal', 'An unexpected error occurred.'), headers: {} };
  }
}

/**
 * A client error raised while reading the body (body-parser and raw-body mark theirs with
 * http-errors' `expose` and a 4xx status; a decompression error has no `type` of its own).
 */
function isBodyReadError(err: unknown): boolean {
  if (typeof err !== 'object' || err === null) return false;
  const { status, expose } = err as { status?: unknown; expose?: unknown };
  return expose === true && typeof status === 'number' && status >= 400 && status < 500;
}

const STATUS_DETAIL: Partial<Record<ProblemCode, string>> = {
  unauthorized: 'Authentication is required.',
  forbidden: 'You may not do this.',
  method_not_allowed: 'Method not allowed.',
  malformed_request: 'The request could not be understood.',
};

/** Writes a problem+json answer on an express response. */
export function sendProblem(res: Response, err: unknown): ProblemBody {
  const { body, headers } = toProblem(err);
  if (body.status === 401 && !headers['WWW-Authenticate']) headers['WWW-Authenticate'] = 'Bearer';
  for (const [k, v] of Object.entries(headers)) res.setHeader(k, v);
  res.status(body.status).type(PROBLEM_CONTENT_TYPE).send(JSON.stringify(body));
  return body;
}

/**
 * The one global filter: every error becomes RFC 9457 problem+json with a stable `code`.
 * Anything unexpected is logged (scrubbed, with the request id) and answered as a plain 500:
 * never a stack trace, SQL text or internal id on the wire. A dependency that is down is
 * logged once per outage ({@link DependencyOutages}); each request's own line is the access
 * log's (request id, status 503).
 */
@Catch()
export class ProblemDetailsFilter implements ExceptionFilter {
  private readonly logger = new Logger('HTTP');

  constructor(@Optional() private readonly outages?: DependencyOutages) {}

  catch(err: unknown, host: ArgumentsHost): void {
    if (host.getType() !== 'http') throw err;
    const res = host.switchToHttp().getResponse<Response>();
    const req = host.switchToHttp().getRequest<Request>();
    if (res.headersSent) return;
    const body = sendProblem(res, err);
    if (body.code === 'unavailable' && isDependencyUnavailable(err)) {
      this.outages?.report(err, { transport: 'http', reqId: req.id });
    } else if (body.status >= 500) {
      this.logger.error(
        {
          reqId: req.id,
          err: scrubForLog(err instanceof Error ? (err.stack ?? err.message) : String(err)),
        },
        'unhandled error',
      );
    }
  }
}
