import { z } from 'zod';
import { isValidEmail } from '@identity/users';

/** Emails per API.md: ≤ 254 characters, one `@`, no control characters. */
export const emailField = z
  .string({ message: 'must be a string' })
  .refine(isValidEmail, 'must be a valid email address of at most 254 characters');

/** A password as presented (the policy judges new ones; this only bounds the input). */
const passwordInput = z
  .string({ message: 'must be a string' })
  .min(1, 'is required')
  .max(1024, 'is too long');
/** A new password: the policy decides, but more than 128 characters is never accepted. */
const newPassword = z.string({ message: 'must be a string' }).max(4096, 'is too long');
const opaqueToken = z
  .string({ message: 'must be a string' })
  .min(1, 'is required')
  .max(512, 'is too long');
/**
 * A refresh token as presented. Any string is a credential to judge, not a malformed request:
 * one that is not a live refresh token (empty, an access token, any length) answers 401
 * `refresh_invalid` from the sessions context, which also bounds the length it looks up.
 * The body limit bounds the size.
 */
const presentedRefreshToken = z.string({ message: 'must be a string' });

export const registerBody = z
  .object({
    email: emailField,
    password: newPassword,
    name: z.string().trim().min(1).max(100).optional(),
  })
  .strict();

export const loginBody = z
  .object({
    email: emailField,
    password: passwordInput,
    device_name: z.string().trim().max(100).optional(),
  })
  .strict();

export const tokenBody = z.object({ token: opaqueToken }).strict();
/** `POST /auth/verify-email`: the link's token and the password chosen at registration. */
export const verifyEmailBody = z
  .object({
    token: opaqueToken,
    password: z.string({ message: 'must be a string' }).min(1, 'is required').max(1024),
  })
  .strict();
export const emailBody = z.object({ email: emailField }).strict();
export const refreshBody = z.object({ refresh_token: presentedRefreshToken.optional() }).strict();
export const logoutBody = z.object({ refresh_token: opaqueToken.optional() }).strict();
export const resetPasswordBody = z
  .object({ token: opaqueToken, new_password: newPassword })
  .strict();
export const changePasswordBody = z
  .object({ current_password: passwordInput, new_password: newPassword })
  .strict();
export const verifyEmailQuery = z.object({ token: opaqueToken }).strict();
