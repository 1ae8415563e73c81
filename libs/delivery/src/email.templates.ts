import { escapeHtml } from './html-escape';
import { BUILT_IN_CATALOGS, DEFAULT_MAIL_LOCALE, type EmailCatalog } from './email.catalog';
import { type PlaceholderValues, renderOverride, type TemplateOverrides } from './email.overrides';

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

/**
 * One mail to send: which template, to whom, with what, and in which locale (chosen when the
 * mail is queued, from the request's `Accept-Language`; unset = English).
 */
export type EmailMessage = {
  [K in EmailTemplate]: { template: K; to: string; vars: EmailTemplateVars[K]; locale?: string };
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
  /** `MAIL_PRODUCT_NAME`: named in the subject and signature when set; unset = neither. */
  productName?: string;
  /** Operator overrides (`MAIL_TEMPLATES_DIR`); none = the built-in wording only. */
  overrides?: TemplateOverrides;
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

/** The link a mail leads to (its action), and how long it works when it carries a token. */
function linkOf(message: EmailMessage, ctx: RenderContext): { url: string; ttl?: number } {
  switch (message.template) {
    case 'verify_email':
      return {
        url: verifyEmailLink(ctx.appUrl, message.vars.token),
        ttl: ctx.tokenTtl.verifyEmail,
      };
    case 'reset_password':
    case 'account_exists':
      return {
        url: resetPasswordLink(ctx.appUrl, message.vars.token),
        ttl: ctx.tokenTtl.resetPassword,
      };
    case 'confirm_email_change':
      return {
        url: confirmEmailChangeLink(ctx.appUrl, message.vars.token),
        ttl: ctx.tokenTtl.resetPassword,
      };
    case 'password_changed':
    case 'mfa_disabled':
    case 'recovery_code_used':
    case 'email_change_requested':
    case 'email_changed':
    case 'account_deleted':
      // No token: the account page (the mails that show no link use it only as {{link}}).
      return { url: ctx.appUrl };
  }
}

function content(
  message: EmailMessage,
  link: { url: string; ttl?: number },
  t: EmailCatalog,
): Content {
  const validFor = t.linkWorksOnce(duration(link.ttl ?? 0, t));
  const open = { label: t.openAccount, url: link.url };
  switch (message.template) {
    case 'verify_email':
      return {
        subject: t.verifyEmail.subject,
        lines: [t.verifyEmail.line],
        action: { label: t.verifyEmail.action, url: link.url },
        after: [validFor, t.ignore],
      };
    case 'reset_password':
      return {
        subject: t.resetPassword.subject,
        lines: [t.resetPassword.line],
        action: { label: t.resetPassword.action, url: link.url },
        after: [validFor, t.resetPassword.notAsked],
      };
    case 'account_exists':
      return {
        subject: t.accountExists.subject,
        lines: [...t.accountExists.lines],
        action: { label: t.accountExists.action, url: link.url },
        after: [validFor, t.ignore],
      };
    case 'password_changed':
      return {
        subject: t.passwordChanged.subject,
        lines: [t.passwordChanged.line, t.notYou],
        action: open,
      };
    case 'mfa_disabled':
      return {
        subject: t.mfaDisabled.subject,
        lines: [t.mfaDisabled.line, t.notYou],
        action: open,
      };
    case 'recovery_code_used':
      return {
        subject: t.recoveryCodeUsed.subject,
        lines: [
          t.recoveryCodeUsed.line,
          ...(message.vars.remaining === undefined
            ? []
            : [t.recoveryCodeUsed.remaining(message.vars.remaining)]),
          t.notYou,
        ],
        action: open,
      };
    case 'confirm_email_change':
      return {
        subject: t.confirmEmailChange.subject,
        lines: [...t.confirmEmailChange.lines],
        action: { label: t.confirmEmailChange.action, url: link.url },
        after: [validFor, t.confirmEmailChange.notAsked],
      };
    case 'email_change_requested':
      return {
        subject: t.emailChangeRequested.subject,
        lines: [
          t.emailChangeRequested.line(message.vars.newEmail),
          t.emailChangeRequested.pending,
          t.notYou,
        ],
        action: open,
      };
    case 'email_changed':
      return { subject: t.emailChanged.subject, lines: [t.emailChanged.line, t.askAdmin] };
    case 'account_deleted':
      return { subject: t.accountDeleted.subject, lines: [t.accountDeleted.line, t.askAdmin] };
  }
}

/**
 * Renders a mail as subject, plain text and HTML (every interpolated value escaped in the
 * HTML), in `message.locale` when it is known (built in or overridden), else in English. A
 * part the operator overrode for that locale (`ctx.overrides`) replaces the built-in one;
 * the other parts stay built in.
 */
export function renderEmail(message: EmailMessage, ctx: RenderContext): RenderedEmail {
  const locale = resolveLocale(message.locale, ctx.overrides);
  const t = BUILT_IN_CATALOGS.get(locale) ?? BUILT_IN_CATALOGS.get(DEFAULT_MAIL_LOCALE)!;
  const link = linkOf(message, ctx);
  const c = content(message, link, t);
  const name = displayName(message.vars.name);
  const greeting = name ? t.greetingNamed(name) : t.greeting;
  const product = ctx.productName ? oneLine(ctx.productName) : '';
  const subject = product ? `${product}: ${c.subject}` : c.subject;
  const signature = product ? ['', `— ${product}`] : [];
  const text = [
    greeting,
    '',
    ...c.lines,
    ...(c.action ? ['', `${c.action.label}: ${c.action.url}`, ''] : []),
    ...(c.after ?? []),
    ...signature,
  ].join('\n');
  const para = (s: string) => `<p>${escapeHtml(s)}</p>`;
  const html = [
    '<!doctype html>',
    `<html lang="${escapeHtml(locale)}"><head><meta charset="utf-8"><title>${escapeHtml(subject)}</title></head><body>`,
    para(greeting),
    ...c.lines.map(para),
    ...(c.action
      ? [
          `<p><a href="${escapeHtml(c.action.url)}">${escapeHtml(c.action.label)}</a></p>`,
          `<p>${escapeHtml(c.action.url)}</p>`,
        ]
      : []),
    ...(c.after ?? []).map(para),
    ...(product ? [para(`— ${product}`)] : []),
    '</body></html>',
  ].join('\n');
  const built: RenderedEmail = { subject, text, html };
  const override = ctx.overrides?.get(locale, message.template);
  if (!override) return built;
  const values: PlaceholderValues = {
    product,
    name,
    greeting,
    appUrl: ctx.appUrl,
    link: link.url,
    validFor: link.ttl === undefined ? '' : duration(link.ttl, t),
    remaining:
      message.template === 'recovery_code_used' ? String(message.vars.remaining ?? '') : '',
    newEmail: message.template === 'email_change_requested' ? message.vars.newEmail : '',
  };
  return renderOverride(override, values, built);
}

/** The locale a mail is rendered in: `requested` if built in or overridden, else English. */
function resolveLocale(requested: string | undefined, overrides?: TemplateOverrides): string {
  if (requested && (BUILT_IN_CATALOGS.has(requested) || overrides?.hasLocale(requested))) {
    return requested;
  }
  return DEFAULT_MAIL_LOCALE;
}

/** Every locale a mail can be rendered in: the built-in ones and those the operator added. */
export function availableMailLocales(overrides?: TemplateOverrides): string[] {
  return [...new Set([...BUILT_IN_CATALOGS.keys(), ...(overrides?.locales() ?? [])])];
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

function duration(seconds: number, t: EmailCatalog): string {
  if (seconds % 86_400 === 0) return t.duration(seconds / 86_400, 'day');
  if (seconds % 3_600 === 0) return t.duration(seconds / 3_600, 'hour');
  if (seconds % 60 === 0) return t.duration(seconds / 60, 'minute');
  return t.duration(seconds, 'second');
}

/** A header-safe single line: control characters (CR, LF) become spaces. */
export function oneLine(value: string): string {
  // eslint-disable-next-line no-control-regex
  return value.replace(/[\u0000-\u001f\u007f-\u009f]+/g, ' ').trim();
}

export { escapeHtml };
