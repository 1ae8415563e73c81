import { STATUS_CODES } from 'node:http';

/** The stable machine-readable error codes of API.md. */
export type ProblemCode =
  | 'validation_failed'
  | 'weak_password'
  | 'malformed_request'
  | 'payload_too_large'
  | 'unsupported_media_type'
  | 'not_found'
  | 'method_not_allowed'
  | 'unauthorized'
  | 'forbidden'
  | 'csrf_failed'
  | 'invalid_credentials'
  | 'email_not_verified'
  | 'account_locked'
  | 'too_many_attempts'
  | 'rate_limited'
  | 'token_invalid'
  | 'refresh_invalid'
  | 'refresh_reused'
  | 'mfa_invalid'
  | 'mfa_required'
  | 'mfa_already_enabled'
  | 'role_in_use'
  | 'last_admin'
  | 'redirect_not_allowed'
  | 'oidc_failed'
  | 'account_link_required'
  | 'identity_in_use'
  | 'last_sign_in_method'
  | 'email_taken'
  | 'conflict'
  | 'internal'
  | 'unavailable'
  | 'overloaded';

export interface FieldError {
  field: string;
  message: string;
}

/** Extension members of a problem (RFC 9457 §3.2): what the client needs to go on. */
export type ProblemExtensions = Readonly<Record<string, string | null>>;

/** RFC 9457 problem details, as every error of this API is answered. */
export interface ProblemBody {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: ProblemCode;
  errors?: FieldError[];
  [extension: string]: unknown;
}

/** Thrown by transports (never by libs) to answer with a problem+json error. */
export class ProblemException extends Error {
  constructor(
    readonly status: number,
    readonly code: ProblemCode,
    readonly detail: string,
    readonly options: {
      errors?: FieldError[];
      headers?: Record<string, string>;
      /** Members beside the standard ones (the link token of `account_link_required`). */
      extensions?: ProblemExtensions;
    } = {},
  ) {
    super(`${status} ${code}`);
    this.name = 'ProblemException';
  }

  toBody(): ProblemBody {
    return {
      ...this.options.extensions,
      ...problemBody(this.status, this.code, this.detail, this.options.errors),
    };
  }
}

export function problemBody(
  status: number,
  code: ProblemCode,
  detail: string,
  errors?: FieldError[],
): ProblemBody {
  return {
    type: `urn:identity:problem:${code}`,
    title: STATUS_CODES[status] ?? 'Error',
    status,
    detail,
    code,
    ...(errors ? { errors } : {}),
  };
}

export const PROBLEM_CONTENT_TYPE = 'application/problem+json; charset=utf-8';
