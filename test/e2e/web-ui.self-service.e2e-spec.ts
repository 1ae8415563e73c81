/**
 * The account web UI as a person uses it, in a real headless Chromium, on a desktop window
 * and on a 390×844 phone: sign up (the strength meter, a refused predictable password said
 * next to the form with the field marked), confirm the address from the emailed page, sign
 * in, name the account, move it to another address (confirmed from the mailed page, keeping
 * this browser signed in), see devices and recent activity, turn on two-step verification
 * and keep the recovery codes (copy, download, "I have saved them"), be told how long to wait
 * after too many wrong passwords, and delete the account after a confirmation. Every page
 * passes an axe-core scan with zero violations; screenshots go to .screenshots/ (gitignored).
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { GOOD_PASSWORD, MailCatcher, mailedToken, uniqueEmail } from '@identity/testing';
import { startTestApp, type TestApp } from '../support/app';
import {
  axeViolations,
  launchBrowser,
  newContext,
  screenshotDir,
} from '../support/chromium-browser';
import { ManualClock } from '../support/clock';
import { freePort } from '../support/ports';
import { codeFor, steadyStep } from './mfa.helpers';

const VIEWPORTS = [
  { label: 'desktop', viewport: { width: 1280, height: 900 } },
  { label: 'phone', viewport: { width: 390, height: 844 } },
];

describe('the account web UI (Chromium)', () => {
  const clock = new ManualClock();
  const mail = new MailCatcher();
  let app: TestApp;
  let browser: Browser;
  let url: string;

  beforeAll(async () => {
    const smtp = await mail.start();
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    app = await startTestApp({
      label: 'web_ui_self_service',
      clock,
      env: { PORT: String(port), APP_URL: url, SMTP_URL: `smtp://127.0.0.1:${smtp}` },
    });
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await app?.close();
    await mail.stop();
  });

  describe.each(VIEWPORTS)('on a $label screen', ({ label, viewport }) => {
    const shots = screenshotDir(`web-ui-${label}`);

    /** Zero axe violations on the page as it is now; a screenshot either way. */
    async function expectAccessible(page: Page, name: string): Promise<void> {
      await page.screenshot({ path: join(shots, `${name}.png`), fullPage: true });
      expect({ page: name, violations: await axeViolations(page) }).toEqual({
        page: name,
        violations: [],
      });
    }

    const text = async (page: Page, selector: string) =>
      (await page.locator(selector).textContent()) ?? '';
    const focusedId = (page: Page) => page.evaluate<string>('document.activeElement.id');

    it('a person signs up, manages the account and deletes it', async () => {
      const context = await newContext(browser, viewport);
      await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: url });
      const page = await context.newPage();
      const problems: string[] = [];
      page.on('pageerror', (err) => problems.push(String(err)));
      page.on('console', (msg) => {
        // A refused request is logged by Chromium itself; the page's own errors are not.
        if (msg.type() === 'error' && !/Failed to load resource/.test(msg.text()))
          problems.push(msg.text());
      });

      // The sign-in page, its tabs driven by the keyboard.
      await page.goto(`${url}/`);
      await expectAccessible(page, 'sign-in');
      await page.focus('#tab-login');
      await page.keyboard.press('ArrowRight');
      expect(await page.getAttribute('#tab-register', 'aria-selected')).toBe('true');
      expect(await page.getAttribute('#tab-login', 'aria-selected')).toBe('false');
      expect(await focusedId(page)).toBe('tab-register');
      expect(await page.isVisible('#panel-register')).toBe(true);
      expect(await page.isVisible('#panel-login')).toBe(false);
      await expectAccessible(page, 'register');

      // A predictable password: the meter says so, the server refuses it next to the form.
      const email = uniqueEmail(`ui-${label}`);
      await page.fill('#reg-name', 'Ada');
      await page.fill('#reg-email', email);
      await page.fill('#reg-password', 'aaaaaaaaaaaaaaaa1');
      await page.locator('#reg-strength .strength-text', { hasText: /weak/i }).waitFor();
      await page.click('#register button[type="submit"]');
      await page.locator('#register-msg.error').waitFor();
      expect(await text(page, '#register-msg')).toContain('repeated character');
      expect(await page.getAttribute('#reg-password', 'aria-invalid')).toBe('true');
      expect(await page.getAttribute('#reg-password', 'aria-describedby')).toContain(
        'register-msg',
      );
      expect(await focusedId(page)).toBe('reg-password');
      await expectAccessible(page, 'register-refused');

      await page.fill('#reg-password', GOOD_PASSWORD);
      await page.locator('#reg-strength .strength-text', { hasText: /strong/i }).waitFor();
      expect(Number(await page.getAttribute('#reg-strength meter', 'value'))).toBeGreaterThan(2);
      await page.click('#register button[type="submit"]');
      await page.locator('#register-msg.ok').waitFor();
      expect(await text(page, '#register-msg')).toContain(`we sent a link to verify ${email}`);
      expect(await page.getAttribute('#reg-password', 'aria-invalid')).toBeNull();

      // The emailed link opens a page that asks for the password.
      const verifyToken = await mailedToken(mail, email, 'verify-email');
      await page.goto(`${url}/auth/verify-email?token=${verifyToken}`);
      await expectAccessible(page, 'verify-email');
      await page.fill('#verify-password', GOOD_PASSWORD);
      await page.click('#verify button[type="submit"]');
      await page.locator('#verify-msg.ok').waitFor();

      // Sign in: a wrong password is said next to the form, in plain words.
      await page.goto(`${url}/`);
      await page.fill('#login-email', email);
      await page.fill('#login-password', 'not the password 5');
      await page.click('#login button[type="submit"]');
      await page.locator('#msg.error').waitFor();
      expect(await text(page, '#msg')).toContain('do not match');
      expect(page.url()).toBe(`${url}/`);
      await page.fill('#login-password', GOOD_PASSWORD);
      await page.click('#login button[type="submit"]');
      await page.waitForURL(`${url}/account`);
      await page.locator('main:not([aria-busy])').waitFor();
      await expectAccessible(page, 'account');

      // This device, named by its user agent, listed first with its times.
      const device = page.locator('#sessions li').first();
      expect(await device.getAttribute('data-current')).toBe('true');
      expect(await device.textContent()).toMatch(
        /Chrome Headless on Linux \(this device\)signed in .+ · last used .+/,
      );

      // The name.
      await page.fill('#profile-name', 'Ada Lovelace');
      await page.click('#profile button[type="submit"]');
      await page.locator('#profile-msg.ok').waitFor();
      expect(await text(page, '#who')).toContain('Ada Lovelace');

      // A new address: the wrong password is refused next to the form, the field marked.
      const newEmail = uniqueEmail(`ui-new-${label}`);
      await page.fill('#new-email', newEmail);
      await page.fill('#change-email-password', 'not the password 6');
      await page.click('#change-email button[type="submit"]');
      await page.locator('#change-email-msg.error').waitFor();
      expect(await text(page, '#change-email-msg')).toContain('not right');
      expect(await page.getAttribute('#change-email-password', 'aria-invalid')).toBe('true');
      await page.fill('#change-email-password', GOOD_PASSWORD);
      await page.click('#change-email button[type="submit"]');
      await page.locator('#change-email-msg.ok').waitFor();
      expect(await text(page, '#change-email-msg')).toContain(newEmail);
      expect(await text(page, '#who')).toContain(email);

      // Confirmed from the page the new mailbox's link opens; this browser stays signed in.
      const changeToken = await mailedToken(mail, newEmail, 'confirm-email-change');
      await page.goto(`${url}/confirm-email-change?token=${changeToken}`);
      expect(page.url()).toBe(`${url}/confirm-email-change`);
      await expectAccessible(page, 'confirm-email-change');
      await page.click('#confirm-email-change button[type="submit"]');
      await page.locator('#confirm-email-change-msg.ok').waitFor();
      expect(await text(page, '#confirm-email-change-msg')).toContain(newEmail);
      await page.goto(`${url}/account`);
      await page.locator('main:not([aria-busy])').waitFor();
      expect(await text(page, '#who')).toContain(newEmail);

      // Recent activity says what happened, in words.
      const activity = await text(page, '#activity');
      expect(activity).toContain('Email address changed');
      expect(activity).toContain('Signed in');
      expect(activity).toContain('Sign-in refused');
      expect(activity).toContain('Chrome Headless on Linux');

      // Two-step verification, and the recovery codes kept three ways.
      await page.fill('#mfa-setup-password', GOOD_PASSWORD);
      await page.click('#mfa-setup button[type="submit"]');
      await page.locator('#mfa-confirm').waitFor();
      await expectAccessible(page, 'mfa-setup');
      const secret = (await text(page, '#mfa-secret')).trim();
      let step = await steadyStep(clock);
      await page.fill('#mfa-confirm-code', codeFor(secret, step));
      await page.click('#mfa-confirm button[type="submit"]');
      await page.locator('#mfa-codes').waitFor();
      const codes = await page.locator('#mfa-codes-list li').allTextContents();
      expect(codes).toHaveLength(10);
      expect(await page.isDisabled('#mfa-codes-done')).toBe(true);
      await expectAccessible(page, 'recovery-codes');

      await page.click('#mfa-codes-copy');
      await page.locator('#mfa-codes-msg.ok').waitFor();
      expect(await page.evaluate<string>('navigator.clipboard.readText()')).toBe(codes.join('\n'));
      const [download] = await Promise.all([
        page.waitForEvent('download'),
        page.click('#mfa-codes-download'),
      ]);
      expect(download.suggestedFilename()).toBe('recovery-codes.txt');
      const saved = await readFile(await download.path(), 'utf8');
      for (const code of codes) expect(saved).toContain(code);
      await page.check('#mfa-codes-saved');
      expect(await page.isDisabled('#mfa-codes-done')).toBe(false);
      await page.click('#mfa-codes-done');
      await page.locator('#mfa-codes').waitFor({ state: 'hidden' });
      expect(await text(page, '#mfa-status')).toContain('On:');

      // Too many wrong passwords: the form says how long to wait.
      for (let i = 0; i < 8; i++) {
        await page.fill('#cur', `wrong current ${i}`);
        await page.fill('#new', 'quartz-Lantern-58-meadow');
        await page.click('#change-password button[type="submit"]');
        await page.locator('#change-password-msg.error').waitFor();
        if (/Try again in/.test(await text(page, '#change-password-msg'))) break;
        await page.evaluate("document.getElementById('change-password-msg').className = 'msg'");
      }
      expect(await text(page, '#change-password-msg')).toMatch(
        /Too many attempts, so we paused them for a while\. Try again in \d+ seconds?\./,
      );
      expect(page.url()).toBe(`${url}/account`);
      await expectAccessible(page, 'too-many-attempts');

      // Deleting asks first; a code of the app confirms it (the password is paused now).
      await page.click('#delete-account');
      await page.locator('#delete-dialog[open]').waitFor();
      expect(await focusedId(page)).toBe('delete-password');
      await expectAccessible(page, 'delete-dialog');
      clock.advance(30);
      step = await steadyStep(clock);
      await page.fill('#delete-code', codeFor(secret, step));
      await page.click('#delete-form button[type="submit"]');
      await page.locator('#delete-form-msg.error').waitFor();
      expect(await text(page, '#delete-form-msg')).toContain('Tick the box');
      await page.click('#delete-cancel');
      expect(await page.isVisible('#delete-dialog')).toBe(false);
      await page.click('#delete-account');
      await page.fill('#delete-code', codeFor(secret, step));
      await page.check('#delete-understood');
      await page.click('#delete-form button[type="submit"]');
      await page.waitForURL(`${url}/`);
      await page.locator('#notice:not([hidden])').waitFor();
      expect(await text(page, '#notice')).toContain('Your account was deleted');
      await expectAccessible(page, 'deleted');

      // Signing in with the old password now fails like any unknown account.
      await page.fill('#login-email', newEmail);
      await page.fill('#login-password', GOOD_PASSWORD);
      await page.click('#login button[type="submit"]');
      await page.locator('#msg.error').waitFor();

      // The reset page (from an emailed link), for the scan.
      await page.goto(`${url}/reset-password?token=not-a-real-token`);
      await page.fill('#new-password', 'short');
      await page.locator('#reset-strength .strength-text', { hasText: /Too short/ }).waitFor();
      await expectAccessible(page, 'reset-password');

      expect(problems).toEqual([]);
      await context.close();
    }, 120_000);
  });
});
