import { Logger } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import cookieParser from 'cookie-parser';
import express, { type NextFunction, type Request, type Response } from 'express';
import helmet from 'helmet';
import type { AppConfig } from '@identity/config';
import { ProblemException } from '../http/problem/problem';
import { sendProblem } from '../http/problem/problem-details.filter';
import { emailedTokenPageHeaders } from './emailed-token-pages';
import { mailLanguageMiddleware } from '../http/mail-language.middleware';

const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const logger = new Logger('HTTP');

/**
 * Answers a request refused before Nest's router (and before the access log's middleware,
 * which therefore never sees it), and gives it the one log line every answered error gets:
 * request id, method, path (no query), status and code.
 */
function refuse(req: Request, res: Response, err: unknown): void {
  const body = sendProblem(res, err);
  logger.log(
    {
      reqId: (req as Request & { id?: unknown }).id,
      method: req.method,
      path: req.path,
      status: body.status,
      code: body.code,
    },
    'request refused before routing',
  );
}

function hasBody(req: Request): boolean {
  const length = req.headers['content-length'];
  return (length !== undefined && length !== '0') || req.headers['transfer-encoding'] !== undefined;
}

/**
 * Express-level pieces that run before Nest's router: security headers, trusted proxies,
 * body parsing with problem+json errors (413 too large, 400 malformed, 415 not JSON), cookies
 * and CORS. Body-parser errors are answered here: they happen before any Nest filter runs.
 */
export function configureHttpPipeline(app: NestExpressApplication, config: AppConfig): void {
  app.disable('x-powered-by');
  // Only TRUST_PROXY decides whether X-Forwarded-For is believed (false = the socket address).
  app.set('trust proxy', config.http.trustProxy);
  app.use(
    helmet({
      hsts: { maxAge: 31_536_000, includeSubDomains: true },
      contentSecurityPolicy: {
        directives: {
          defaultSrc: ["'self'"],
          scriptSrc: ["'self'"],
          styleSrc: ["'self'"],
          imgSrc: ["'self'", 'data:'],
          connectSrc: ["'self'"],
          frameAncestors: ["'none'"],
          formAction: ["'self'"],
          // No page uses <base> or plugins: an injected one could redirect a form that
          // carries an emailed token, or run outside this policy.
          baseUri: ["'none'"],
          objectSrc: ["'none'"],
          // On plain-http development, upgrading would break the page's own requests.
          upgradeInsecureRequests: config.cookies.secure ? [] : null,
        },
      },
      crossOriginResourcePolicy: { policy: 'same-site' },
    }),
  );
  app.use(emailedTokenPageHeaders);

  const json = express.json({ limit: config.http.bodyLimit, strict: true });
  const form = express.urlencoded({ extended: false, limit: config.http.bodyLimit });
  app.use((req: Request, res: Response, next: NextFunction) => {
    if (!BODY_METHODS.has(req.method) || !hasBody(req)) return next();
    const type = req.headers['content-type'] ?? '';
    const parser = /^application\/(.+\+)?json\b/i.test(type)
      ? json
      : /^application\/x-www-form-urlencoded\b/i.test(type) && req.path.startsWith('/auth/oidc/')
        ? form
        : undefined;
    if (!parser) {
      refuse(
        req,
        res,
        new ProblemException(415, 'unsupported_media_type', 'Send the body as application/json.'),
      );
      return;
    }
    parser(req, res, (err?: unknown) => (err ? refuse(req, res, err) : next()));
  });
  app.use(cookieParser());
  // After the body parsers: their callbacks run from the request stream's events, which do
  // not carry an AsyncLocalStorage context set before them.
  app.use(mailLanguageMiddleware);

  if (config.corsOrigins.length > 0) {
    const allowed = new Set(config.corsOrigins);
    app.enableCors({
      origin: (origin, cb) => cb(null, origin !== undefined && allowed.has(origin)),
      credentials: true,
      allowedHeaders: [
        'Content-Type',
        'Authorization',
        'X-CSRF-Token',
        'X-Auth-Transport',
        'X-Request-Id',
      ],
      exposedHeaders: ['X-Request-Id', 'Retry-After'],
      maxAge: 600,
    });
  }
}
