import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { source as AXE_SOURCE } from 'axe-core';
import { CHROMIUM_PATH } from './chromium';

/**
 * A real headless Chromium (the Debian package's) that can hold several independent browser
 * contexts at once: separate cookie jars, as two people or two devices have. Each context
 * gets a fresh temporary profile of Playwright's own, removed when the browser closes.
 */
export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [
      '--headless=new',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
    ],
  });
}

/** Screenshots of the UI go here (gitignored), one folder per suite. */
export function screenshotDir(suite: string): string {
  const dir = join(__dirname, '../../.screenshots', suite);
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** One accessibility rule that failed, with the elements it failed on. */
export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: string[];
}

/**
 * Runs axe-core (WCAG 2.0/2.1 A and AA, and axe's best practices) on the page as it is now.
 * The engine is evaluated through the DevTools protocol, which the page's strict CSP does not
 * govern (an injected <script> would be refused, as it should be).
 */
export async function axeViolations(page: Page): Promise<AxeViolation[]> {
  await page.evaluate(AXE_SOURCE);
  const results = await page.evaluate<AxeResults>(`axe.run(document, {
    runOnly: {
      type: 'tag',
      values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'],
    },
  })`);
  return results.violations.map((v) => ({
    id: v.id,
    impact: v.impact,
    help: v.help,
    nodes: v.nodes.map((n) => n.target.join(' ')),
  }));
}

interface AxeResults {
  violations: {
    id: string;
    impact: string | null;
    help: string;
    nodes: { target: string[] }[];
  }[];
}

/** A new context with its own cookies, at `viewport` (a desktop window by default). */
export function newContext(
  browser: Browser,
  viewport: { width: number; height: number } = { width: 1280, height: 900 },
): Promise<BrowserContext> {
  return browser.newContext({ viewport, acceptDownloads: true });
}
