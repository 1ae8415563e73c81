import { z } from 'zod';

/**
 * A one-time code or link token as presented. Any string is a credential to judge (the
 * federation context answers `token_invalid` for one that does not work and bounds the length
 * it looks up); only a missing or non-string value is a malformed request.
 */
const presentedCode = z.string({ message: 'must be a string' }).min(1, 'is required');

export const exchangeBody = z.object({ code: presentedCode }).strict();
export const linkBody = z.object({ link_token: presentedCode }).strict();

/**
 * A provider's route name, as `:provider` of `DELETE /auth/identities/:provider` carries it:
 * anything else can name no identity (404, before any lookup).
 */
export const PROVIDER_NAME = /^[a-z][a-z0-9-]{0,31}$/;
