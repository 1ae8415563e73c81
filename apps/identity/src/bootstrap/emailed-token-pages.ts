import type { NextFunction, Request, Response } from 'express';

/**
 * Pages a person opens from an emailed link whose URL carries a live token: email
 * verification, the web UI's password reset and email-change confirmation (API.md, "Details").
 */
export const EMAILED_TOKEN_PAGES: readonly string[] = [
  '/auth/verify-email',
  '/reset-password',
  '/confirm-email-change',
];

/**
 * Keeps the token in such a page's URL where it is: no cache (shared or private) stores the
 * page, and no request the page makes tells anyone the URL in a Referer. The strict CSP parts
 * (`base-uri`, `object-src`, `frame-ancestors` all `'none'`) are the app-wide policy, see
 * `http-pipeline.ts`. Set before routing, so whatever the controller answers (page, JSON or
 * error) carries them.
 */
export function emailedTokenPageHeaders(req: Request, res: Response, next: NextFunction): void {
  if ((req.method === 'GET' || req.method === 'HEAD') && EMAILED_TOKEN_PAGES.includes(req.path)) {
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader('Referrer-Policy', 'no-referrer');
  }
  next();
}
