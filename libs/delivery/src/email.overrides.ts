import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { EmailTemplate, RenderedEmail } from './email.templates';
import { escapeHtml } from './html-escape';

/**
 * Operator-supplied wording, from `MAIL_TEMPLATES_DIR`:
 *
 *     <dir>/<locale>/<template>.subject.txt   one line
 *     <dir>/<locale>/<template>.text.txt      the plain-text part
 *     <dir>/<locale>/<template>.html          the HTML part
 *
 * Any of the three may be left out (the built-in part is used). The only syntax is
 * `{{placeholder}}`, replaced by a value: no expressions, no code, nothing evaluated. In the
 * HTML part every value is HTML-escaped; the subject is kept to one line. Read and checked
 * once at boot: an unknown file, template, locale or placeholder stops the boot with its path.
 */

/** The values a template may use; those a template has no use for are empty. */
export interface PlaceholderValues {
  /** `MAIL_PRODUCT_NAME`, or empty. */
  product: string;
  /** The user's display name, or empty. */
  name: string;
  /** The greeting line of the locale ("Hello Ada," / "Hello,"). */
  greeting: string;
  appUrl: string;
  /** The mail's link: the emailed token link, or the account page. */
  link: string;
  /** How long a token link works ("1 day"), in the locale; empty for mails without one. */
  validFor: string;
  /** recovery_code_used: codes left. */
  remaining: string;
  /** email_change_requested: the address asked for. */
  newEmail: string;
}

const PLACEHOLDERS: ReadonlySet<string> = new Set<keyof PlaceholderValues>([
  'product',
  'name',
  'greeting',
  'appUrl',
  'link',
  'validFor',
  'remaining',
  'newEmail',
]);

const PART_SUFFIXES = { subject: '.subject.txt', text: '.text.txt', html: '.html' } as const;
type Part = keyof typeof PART_SUFFIXES;
type Parts = Partial<Record<Part, string>>;

const LOCALE_DIR = /^[a-z]{1,8}(?:-[a-z0-9]{1,8})*$/;
const PLACEHOLDER = /\{\{\s*([A-Za-z]+)\s*\}\}/g;
const MAX_FILE_BYTES = 64 * 1024;
/** Line breaks and other control characters: a subject is one header line. */
// eslint-disable-next-line no-control-regex
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f-\u009f]+/g;

/** The overrides found in a directory; empty when there is none. */
export class TemplateOverrides {
  private constructor(private readonly byLocale: ReadonlyMap<string, Map<EmailTemplate, Parts>>) {}

  /** No overrides: the built-in wording only. */
  static none(): TemplateOverrides {
    return new TemplateOverrides(new Map());
  }

  /**
   * Reads and checks every file under `dir` (synchronously: once, at boot).
   * @throws Error naming the offending path (never its content) for a file, template,
   *   locale or placeholder it does not know, or a file over 64 KiB.
   */
  static load(dir: string, templates: readonly EmailTemplate[]): TemplateOverrides {
    const byLocale = new Map<string, Map<EmailTemplate, Parts>>();
    const problems: string[] = [];
    for (const locale of readdirSync(dir)) {
      const localeDir = join(dir, locale);
      if (!statSync(localeDir).isDirectory()) {
        problems.push(`${localeDir}: expected a locale directory (e.g. en, de)`);
        continue;
      }
      if (!LOCALE_DIR.test(locale)) {
        problems.push(`${localeDir}: a locale directory is a lower-case tag (e.g. de, pt-br)`);
        continue;
      }
      const parts = new Map<EmailTemplate, Parts>();
      for (const file of readdirSync(localeDir)) {
        const path = join(localeDir, file);
        const match = (Object.entries(PART_SUFFIXES) as [Part, string][]).find(([, suffix]) =>
          file.endsWith(suffix),
        );
        const template = match && file.slice(0, -match[1].length);
        if (!match || !templates.includes(template as EmailTemplate)) {
          problems.push(
            `${path}: not <template>.subject.txt, .text.txt or .html of a known template (${templates.join(', ')})`,
          );
          continue;
        }
        if (statSync(path).size > MAX_FILE_BYTES) {
          problems.push(`${path}: larger than 64 KiB`);
          continue;
        }
        const body = readFileSync(path, 'utf8');
        for (const [, name] of body.matchAll(PLACEHOLDER)) {
          if (!PLACEHOLDERS.has(name!)) {
            problems.push(
              `${path}: unknown placeholder {{${name}}} (known: ${[...PLACEHOLDERS].join(', ')})`,
            );
          }
        }
        const entry = parts.get(template as EmailTemplate) ?? {};
        entry[match[0]] = body;
        parts.set(template as EmailTemplate, entry);
      }
      byLocale.set(locale, parts);
    }
    if (problems.length > 0) {
      throw new Error(`MAIL_TEMPLATES_DIR is not usable:\n  ${problems.join('\n  ')}`);
    }
    return new TemplateOverrides(byLocale);
  }

  /** Locales that have a directory (possibly adding one the platform does not ship). */
  locales(): string[] {
    return [...this.byLocale.keys()];
  }

  hasLocale(locale: string): boolean {
    return this.byLocale.has(locale);
  }

  /** The overridden parts of one template in one locale, if any. */
  get(locale: string, template: EmailTemplate): Parts | undefined {
    return this.byLocale.get(locale)?.get(template);
  }
}

/** Fills the overridden parts; the others stay as built. */
export function renderOverride(
  parts: Parts,
  values: PlaceholderValues,
  built: RenderedEmail,
): RenderedEmail {
  const fill = (body: string, encode: (v: string) => string) =>
    body.replace(PLACEHOLDER, (whole, name: string) =>
      PLACEHOLDERS.has(name) ? encode(values[name as keyof PlaceholderValues]) : whole,
    );
  return {
    subject:
      parts.subject === undefined
        ? built.subject
        : fill(parts.subject, (v) => v)
            .replace(CONTROL_CHARACTERS, ' ')
            .trim(),
    text: parts.text === undefined ? built.text : fill(parts.text, (v) => v),
    html: parts.html === undefined ? built.html : fill(parts.html, escapeHtml),
  };
}
