import type { IncomingMessage, ServerResponse } from 'node:http';
import { MailLanguages, parseAcceptLanguage } from '@identity/delivery';

/** Methods of the requests that can cause a mail (every mail is queued by a write). */
const MAILING_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * Runs the rest of the request with its `Accept-Language` preferences as the languages of the
 * mails it causes (register, resend, forgot, change-email, password changed, ...): the mail
 * is queued in the best of them the platform has wording for, English otherwise.
 * Reads (`GET /auth/me`, JWKS, pages, probes: the most frequent requests) queue no mail, so
 * they skip it: an AsyncLocalStorage scope is copied into every promise the request makes.
 */
export function mailLanguageMiddleware(
  req: IncomingMessage,
  _res: ServerResponse,
  next: () => void,
): void {
  if (!MAILING_METHODS.has(req.method ?? '')) return next();
  MailLanguages.run(parseAcceptLanguage(req.headers['accept-language']), next);
}
