/** Variables of each template. `name` is the user's display name, when there is one. */
export interface EmailTemplateVars {
  verify_email: { token: string; name?: string };
  reset_password: { token: string; name?: string };
  /** Someone tried to register this address; `token` is a fresh reset token for the owner. */
  account_exists: { token: string; name?: string };
  password_changed: { name?: string };
  mfa_disabled: { name?: string };
  recovery_code_used: { name?: string; remaining?: number };
  /** To the new address of a requested change: `token` confirms it. */
  confirm_email_change: { token: string; name?: string };
  /** To the current address: a change to `newEmail` was requested (nothing changed yet). */
  email_change_requested: { newEmail: string; name?: string };
  /** To the previous address, once the change is confirmed. */
  email_changed: { name?: string };
  /** To the address the account had, as it is deleted. */
  account_deleted: { name?: string };
}

/** The mails the platform sends. */
export type EmailTemplate = keyof EmailTemplateVars;

/** One mail to send: which template, to whom, with what. */
export type EmailMessage = {
  [K in EmailTemplate]: { template: K; to: string; vars: EmailTemplateVars[K] };
}[EmailTemplate];

export const EMAIL_TEMPLATES: readonly EmailTemplate[] = [
  'verify_email',
  'reset_password',
  'account_exists',
  'password_changed',
  'mfa_disabled',
  'recovery_code_used',
  'confirm_email_change',
  'email_change_requested',
  'email_changed',
  'account_deleted',
];

/** What rendering needs from the configuration. */
export interface RenderContext {
  /** APP_URL without a trailing slash. */
  appUrl: string;
  /** Lifetimes in seconds, quoted in the mails so users know how long a link works. */
  tokenTtl: { verifyEmail: number; resetPassword: number };
}

export interface RenderedEmail {
  subject: string;
  text: string;
  html: string;
}

/** A mail's content before it is written as text and as HTML. */
interface Content {
  subject: string;
  lines: string[];
  action?: { label: string; url: string };
  after?: string[];
}

/** Links as API.md fixes them; the token is URL-encoded even though base64url needs none. */
export function verifyEmailLink(appUrl: string, token: string): string {
  return `${appUrl}/auth/verify-email?token=${encodeURIComponent(token)}`;
}

export function resetPasswordLink(appUrl: string, token: string): string {
  return `${appUrl}/reset-password?token=${encodeURIComponent(token)}`;
}

export function confirmEmailChangeLink(appUrl: string, token: string): string {
  return `${appUrl}/confirm-email-change?token=${encodeURIComponent(token)}`;
}

function content(message: EmailMessage, ctx: RenderContext): Content {
  const ignore = 'If this was not you, you can ignore this mail.';
  const notYou = 'If this was not you, reset your password now and review your account.';
  const askAdmin = 'If this was not you, contact your administrator at once.';
  switch (message.template) {
    case 'verify_email':
      return {
        subject: 'Confirm your email address',
        lines: ['Please confirm your email address to finish setting up your account.'],
        action: { label: 'Confirm email', url: verifyEmailLink(ctx.appUrl, message.vars.token) },
        after: [`The link works once, for ${duration(ctx.tokenTtl.verifyEmail)}.`, ignore],
      };
    case 'reset_password':
      return {
        subject: 'Reset your password',
        lines: ['We received a request to reset the password of your account.'],
        action: {
          label: 'Choose a new password',
          url: resetPasswordLink(ctx.appUrl, message.vars.token),
        },
        after: [
          `The link works once, for ${duration(ctx.tokenTtl.resetPassword)}.`,
          'If you did not ask for this, ignore this mail: your password stays as it is.',
        ],
      };
    case 'account_exists':
      return {
        subject: 'You already have an account',
        lines: [
          'Someone tried to create an account with this email address, but it already has one.',
          'If that was you and you forgot your password, you can choose a new one:',
        ],
        action: {
          label: 'Reset your password',
          url: resetPasswordLink(ctx.appUrl, message.vars.token),
        },
        after: [`The link works once, for ${duration(ctx.tokenTtl.resetPassword)}.`, ignore],
      };
    case 'password_changed':
      return {
        subject: 'Your password was changed',
        lines: ['The password of your account was just changed.', notYou],
        action: { label: 'Open your account', url: ctx.appUrl },
      };
    case 'mfa_disabled':
      return {
        subject: 'Two-factor authentication was turned off',
        lines: ['Two-factor authentication was just turned off for your account.', notYou],
        action: { label: 'Open your account', url: ctx.appUrl },
      };
    case 'recovery_code_used':
      return {
        subject: 'A recovery code was used to sign in',
        lines: [
          'A recovery code was just used to sign in to your account.',
          ...(message.vars.remaining === undefined
            ? []
            : [`Recovery codes left: ${message.vars.remaining}.`]),
          notYou,
        ],
        action: { label: 'Open your account', url: ctx.appUrl },
      };
    case 'confirm_email_change':
      return {
        subject: 'Confirm your new email address',
        lines: [
          'Please confirm that this is the new email address of your account.',
          'Nothing changes until you do.',
        ],
        action: {
          label: 'Confirm the new address',
          url: confirmEmailChangeLink(ctx.appUrl, message.vars.token),
        },
        after: [
          `The link works once, for ${duration(ctx.tokenTtl.resetPassword)}.`,
          'If you did not ask for this, ignore this mail: the account keeps its address.',
        ],
      };
    case 'email_change_requested':
      return {
        subject: 'A change of your email address was requested',
        lines: [
          `Someone signed in to your account asked to change its email address to ${message.vars.newEmail}.`,
          'Nothing changes until the link we sent to that address is confirmed.',
          notYou,
        ],
        action: { label: 'Open your account', url: ctx.appUrl },
      };
    case 'email_changed':
      return {
        subject: 'Your email address was changed',
        lines: [
          'The email address of your account was just changed: mail now goes to the new address, and your other devices were signed out.',
          askAdmin,
        ],
      };
    case 'account_deleted':
      return {
        subject: 'Your account was deleted',
        lines: [
          'Your account was deleted at your request: its personal data is erased and every device was signed out.',
          askAdmin,
        ],
      };
  }
}

/** Renders a mail as subject, plain text and HTML (every interpolated value escaped). */
export function renderEmail(message: EmailMessage, ctx: RenderContext): RenderedEmail {
  const c = content(message, ctx);
  const name = displayName(message.vars.name);
  const greeting = name ? `Hello ${name},` : 'Hello,';
  const text = [
    greeting,
    '',
    ...c.lines,
    ...(c.action ? ['', `${c.action.label}: ${c.action.url}`, ''] : []),
    ...(c.after ?? []),
  ].join('\n');
  const para = (s: string) => `<p>${escapeHtml(s)}</p>`;
  const html = [
    '<!doctype html>',
    `<html><head><meta charset="utf-8"><title>${escapeHtml(c.subject)}</title></head><body>`,
    para(greeting),
    ...c.lines.map(para),
    ...(c.action
      ? [
          `<p><a href="${escapeHtml(c.action.url)}">${escapeHtml(c.action.label)}</a></p>`,
          `<p>${escapeHtml(c.action.url)}</p>`,
        ]
      : []),
    ...(c.after ?? []).map(para),
    '</body></html>',
  ].join('\n');
  return { subject: c.subject, text, html };
}

/** Escapes the five characters that matter in HTML text and attribute values. */
export function escapeHtml(value: string): string {
  return value
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/**
 * The name is user input: control characters (line breaks that could fake a new paragraph
 * in the text part) are dropped and the length capped, so it stays a greeting.
 */
function displayName(name: string | undefined): string {
  // eslint-disable-next-line no-control-regex
  const clean = (name ?? '').replace(/[\u0000-\u001f\u007f-\u009f]/g, ' ').trim();
  return clean.length > 80 ? `${clean.slice(0, 79)}…` : clean;
}

function duration(seconds: number): string {
  if (seconds % 86_400 === 0) return plural(seconds / 86_400, 'day');
  if (seconds % 3_600 === 0) return plural(seconds / 3_600, 'hour');
  if (seconds % 60 === 0) return plural(seconds / 60, 'minute');
  return plural(seconds, 'second');
}

function plural(n: number, unit: string): string {
  return `${n} ${unit}${n === 1 ? '' : 's'}`;
}
