import { z } from 'zod';
import { ACTIVITY_MAX_LIMIT } from '@identity/accounts';
import { emailField } from './auth.schemas';
import { pageLimit } from './page-query';

/** Bodies and queries of the self-service routes (API.md: `PATCH /auth/me` and the rows below it). */

const password = z
  .string({ message: 'must be a string' })
  .min(1, 'is required')
  .max(1024, 'is too long');
/** Whether a code is right (or even well formed) is the domain's answer: only bounded here. */
const code = z.string({ message: 'must be a string' }).min(1, 'is required').max(16, 'is too long');
const opaqueToken = z
  .string({ message: 'must be a string' })
  .min(1, 'is required')
  .max(512, 'is too long');

/** Re-authentication: the password, or a code of the authenticator app; exactly one. */
const exactlyOneProof = <T extends { password?: string; code?: string }>(body: T) =>
  (body.password === undefined) !== (body.code === undefined);
const proofMessage = { message: 'give exactly one of password and code', path: ['password'] };

/** `PATCH /auth/me`: the display name; null or an empty string clears it. */
export const updateMeBody = z
  .object({
    name: z.union([z.string({ message: 'must be a string or null' }).trim().max(100), z.null()], {
      message: 'must be a string or null',
    }),
  })
  .strict();

/** `POST /auth/change-email`. */
export const changeEmailBody = z
  .object({ new_email: emailField, password: password.optional(), code: code.optional() })
  .strict()
  .refine(exactlyOneProof, proofMessage);

/** `POST /auth/confirm-email-change`. */
export const confirmEmailChangeBody = z.object({ token: opaqueToken }).strict();

/** `DELETE /auth/me`. */
export const deleteMeBody = z
  .object({ password: password.optional(), code: code.optional() })
  .strict()
  .refine(exactlyOneProof, proofMessage);

/** `GET /auth/me/activity`: a cursor that can name an entry, and a page size. */
export const activityQuery = z
  .object({
    // A positive bigint: Postgres's bigint tops out at 19 digits.
    before: z
      .string()
      .regex(/^[1-9]\d{0,18}$/, 'must be the next_before of a previous page')
      .optional(),
    limit: pageLimit(ACTIVITY_MAX_LIMIT),
  })
  .strict();
