import { AsyncLocalStorage } from 'node:async_hooks';

/** A language tag we accept from a header: `de`, `de-CH`, `pt-BR`, `zh-hant-tw` (lower-cased). */
const TAG = /^[a-z]{1,8}(?:-[a-z0-9]{1,8})*$/;
/** Bounds the work and what is stored with an outbox row. */
const MAX_LANGUAGES = 6;
const MAX_HEADER_LENGTH = 512;

/**
 * The languages an `Accept-Language` header asks for, best first (by `q`, then order), lower
 * case, malformed entries and `*` dropped, at most six. Never throws: a header is user input.
 */
export function parseAcceptLanguage(header: string | undefined): string[] {
  if (!header) return [];
  const ranked: { tag: string; q: number; i: number }[] = [];
  header
    .slice(0, MAX_HEADER_LENGTH)
    .split(',')
    .forEach((part, i) => {
      const [rawTag, ...params] = part.trim().split(';');
      const tag = (rawTag ?? '').trim().toLowerCase();
      if (!TAG.test(tag)) return;
      let q = 1;
      for (const param of params) {
        const m = /^\s*q\s*=\s*([01](?:\.\d{0,3})?)\s*$/i.exec(param);
        if (m) q = Number(m[1]);
      }
      if (q > 0) ranked.push({ tag, q, i });
    });
  ranked.sort((a, b) => b.q - a.q || a.i - b.i);
  return [...new Set(ranked.map((r) => r.tag))].slice(0, MAX_LANGUAGES);
}

/**
 * The first of `languages` that `available` has, exactly (`de-ch`) or by its primary subtag
 * (`de-ch` → `de`); `fallback` when none is.
 */
export function negotiateLocale(
  languages: readonly string[],
  available: readonly string[],
  fallback: string,
): string {
  for (const language of languages) {
    if (available.includes(language)) return language;
    const primary = language.split('-')[0]!;
    if (available.includes(primary)) return primary;
  }
  return fallback;
}

const storage = new AsyncLocalStorage<readonly string[]>();

/**
 * The languages of the request being served, for the mails it causes. Set once per HTTP
 * request by the app (from `Accept-Language`) and by the outbox worker around an account
 * request (from what the request stored), so the use cases that queue mail need not carry
 * it through every signature. Outside both: none (mails go out in the default locale).
 */
export const MailLanguages = {
  /** Runs `fn` with `languages` as the current request's. */
  run<T>(languages: readonly string[], fn: () => T): T {
    return storage.run(languages, fn);
  },
  /** The current request's languages, best first; empty outside a request. */
  current(): readonly string[] {
    return storage.getStore() ?? [];
  },
};
