import type { CookieJar } from './cookies';
import { cookieHeader } from './cookies';

/** One request the browser made and what came back. */
export interface BrowserStep {
  url: string;
  status: number;
  location?: string;
  /** Raw `Set-Cookie` lines (for attribute checks). */
  setCookies: string[];
}

/** Where a navigation ended: the URL the browser was sent to last, and every hop. */
export interface Navigation {
  /** The last URL reached (the stop URL, or the URL of the final non-redirect answer). */
  final: URL;
  /** Status of the last answer received. */
  status: number;
  steps: BrowserStep[];
}

/**
 * A tiny browser for redirect round trips (app → provider → app → client app): one cookie
 * jar per origin, filled from `Set-Cookie` (an emptied or expired cookie is dropped), sent
 * back on every request to that origin; `navigate` follows `Location` until a non-redirect
 * answer or a URL on one of the `stopAt` origins (the client app, which does not run).
 * Each instance is one browser: two instances share nothing.
 */
export class TestBrowser {
  private readonly jars = new Map<string, CookieJar>();

  /** The cookies this browser holds for `origin` (live: changes show up in later requests). */
  cookies(origin: string): CookieJar {
    const key = new URL(origin).origin;
    let jar = this.jars.get(key);
    if (!jar) {
      jar = {};
      this.jars.set(key, jar);
    }
    return jar;
  }

  /** One GET with this browser's cookies; stores the cookies it sets. */
  async get(url: string): Promise<BrowserStep & { body: string }> {
    const jar = this.cookies(url);
    const header = cookieHeader(jar);
    const res = await fetch(url, {
      redirect: 'manual',
      headers: header ? { Cookie: header } : {},
    });
    const setCookies = res.headers.getSetCookie();
    for (const line of setCookies) store(jar, line);
    return {
      url,
      status: res.status,
      location: res.headers.get('location') ?? undefined,
      setCookies,
      body: await res.text(),
    };
  }

  /** Follows redirects from `url` (at most `maxHops`), stopping at the `stopAt` origins. */
  async navigate(
    url: string,
    options: { stopAt?: string[]; maxHops?: number } = {},
  ): Promise<Navigation> {
    const stopAt = new Set((options.stopAt ?? []).map((o) => new URL(o).origin));
    const steps: BrowserStep[] = [];
    let current = new URL(url);
    for (let hop = 0; hop < (options.maxHops ?? 10); hop += 1) {
      const { body: _body, ...step } = await this.get(current.href);
      steps.push(step);
      if (step.status < 300 || step.status >= 400 || !step.location)
        return { final: current, status: step.status, steps };
      current = new URL(step.location, current);
      if (stopAt.has(current.origin)) return { final: current, status: step.status, steps };
    }
    throw new Error(`more than ${options.maxHops ?? 10} redirects from ${url}`);
  }
}

function store(jar: CookieJar, line: string): void {
  const [pair = '', ...attributes] = line.split(';').map((s) => s.trim());
  const eq = pair.indexOf('=');
  if (eq <= 0) return;
  const name = pair.slice(0, eq);
  const value = pair.slice(eq + 1);
  const expired = attributes.some((a) => {
    const [key = '', v = ''] = a.split('=');
    if (/^max-age$/i.test(key)) return Number(v) <= 0;
    if (/^expires$/i.test(key)) return Date.parse(v) <= Date.now();
    return false;
  });
  if (value === '' || expired) delete jar[name];
  else jar[name] = value;
}
