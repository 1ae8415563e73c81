import type { IncomingMessage, ServerResponse } from 'node:http';
import { MailLanguages, parseAcceptLanguage } from '@identity/delivery';

/**
 * Runs the rest of the request with its `Accept-Language` preferences as the languages of the
 * mails it causes (register, resend, forgot, change-email, password changed, ...): the mail
 * is queued in the best of them the platform has wording for, English otherwise.
 */
export function mailLanguageMiddleware(
  req: IncomingMessage,
  _res: ServerResponse,
  next: () => void,
): void {
  MailLanguages.run(parseAcceptLanguage(req.headers['accept-language']), next);
}
