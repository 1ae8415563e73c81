import type { Response } from 'supertest';

/** Cookies by name, as a browser would keep them. */
export type CookieJar = Record<string, string>;

/** The cookies a response sets: by name, and the raw `Set-Cookie` lines (for attributes). */
export function cookiesOf(res: Response): { jar: CookieJar; raw: string[] } {
  const raw = ([] as string[]).concat(res.headers['set-cookie'] ?? []);
  const jar: CookieJar = {};
  for (const line of raw) {
    const [pair] = line.split(';');
    const [name, ...rest] = pair!.split('=');
    jar[name!.trim()] = rest.join('=');
  }
  return { jar, raw };
}

/** A `Cookie` request header for the jar (cleared, empty cookies left out). */
export function cookieHeader(jar: CookieJar): string {
  return Object.entries(jar)
    .filter(([, value]) => value !== '')
    .map(([name, value]) => `${name}=${value}`)
    .join('; ');
}
