import { z } from 'zod';

/**
 * Bodies of `/auth/mfa/*`. Codes are only bounded here: whether a code is right (or even well
 * formed) is the MFA step's answer, `mfa_invalid`, so a malformed guess costs an attempt too.
 */
/**
 * Any string is an mfa_token to judge: one that is not live (empty, any length, another kind
 * of token) answers 401 `mfa_invalid` from the MFA context, which bounds the length it looks up.
 */
const mfaToken = z.string({ message: 'must be a string' });
const totpCode = z
  .string({ message: 'must be a string' })
  .min(1, 'is required')
  .max(16, 'is too long');
const recoveryCode = z
  .string({ message: 'must be a string' })
  .min(1, 'is required')
  .max(64, 'is too long');
const password = z
  .string({ message: 'must be a string' })
  .min(1, 'is required')
  .max(1024, 'is too long');

export const mfaVerifyBody = z
  .object({
    mfa_token: mfaToken,
    code: totpCode.optional(),
    recovery_code: recoveryCode.optional(),
  })
  .strict()
  .refine((b) => (b.code === undefined) !== (b.recovery_code === undefined), {
    message: 'give exactly one of code and recovery_code',
    path: ['code'],
  });

export const totpSetupBody = z.object({ password }).strict();
export const totpConfirmBody = z.object({ code: totpCode }).strict();

/** A second factor, never the password alone (API.md: it may be what was stolen). */
export const totpDisableBody = z
  .object({ code: totpCode.optional(), recovery_code: recoveryCode.optional() })
  .strict()
  .refine((b) => (b.code === undefined) !== (b.recovery_code === undefined), {
    message: 'give exactly one of code and recovery_code',
    path: ['code'],
  });

export const recoveryCodesBody = z.object({ code: totpCode }).strict();
