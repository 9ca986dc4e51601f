/** Real Chromium (Debian's /usr/bin/chromium) through playwright-core, and page helpers. */
import { copyFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Locator, type Page } from 'playwright-core';
import { REPO_ROOT, type BrowserServer } from './server.ts';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const ARTIFACTS = join(REPO_ROOT, 'test/artifacts');

/** Launches headless Chromium. */
export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
}

/** A 1920×1080 context (a wallboard TV) or an office screen size. */
export function newContext(browser: Browser, size: 'tv' | 'office' = 'office'): Promise<BrowserContext> {
  return browser.newContext({
    viewport: size === 'tv' ? { width: 1920, height: 1080 } : { width: 1440, height: 900 },
    locale: 'en-GB',
  });
}

/** Page errors and failed assertions in the browser console fail a test that checks `errors`. */
export function watchErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('dialog', (d) => {
    errors.push(`dialog: ${d.message()}`);
    void d.dismiss();
  });
  return errors;
}

/** Signs in through the form and waits to land on the role's home page. */
export async function signIn(page: Page, server: BrowserServer, user: string): Promise<void> {
  const u = server.users.get(user);
  if (!u) throw new Error(`no demo user ${user}; have ${[...server.users.keys()].join(', ')}`);
  await page.goto(`${server.url}/login`);
  await page.getByLabel('Username').fill(u.name);
  await page.getByLabel('Password').fill(u.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL((url) => !url.pathname.startsWith('/login'), { timeout: 15_000 });
}

/**
 * Whether this run refreshes the screenshots the repository keeps (the README's, under docs/):
 * `UPDATE_SCREENSHOTS=1 npx vitest run --project browser`. Otherwise a run never touches tracked files.
 */
export const UPDATE_SCREENSHOTS = process.env.UPDATE_SCREENSHOTS === '1';

/**
 * Saves a screenshot as test/artifacts/NAME.png (ignored by git); with `docs` (a path under the
 * repository, e.g. docs/wallboard.png) it is also copied there, but only when UPDATE_SCREENSHOTS=1.
 */
export async function screenshot(
  page: Page,
  name: string,
  opts: { docs?: string; fullPage?: boolean } = {},
): Promise<string> {
  const file = join(ARTIFACTS, `${name}.png`);
  mkdirSync(dirname(file), { recursive: true });
  await page.screenshot({ path: file, fullPage: opts.fullPage ?? false });
  if (opts.docs !== undefined && UPDATE_SCREENSHOTS) {
    const target = join(REPO_ROOT, opts.docs);
    mkdirSync(dirname(target), { recursive: true });
    copyFileSync(file, target);
  }
  return file;
}

/** An attribute of every element a locator matches ('' when absent). */
export async function attrs(locator: Locator, name: string): Promise<string[]> {
  return Promise.all((await locator.all()).map(async (l) => (await l.getAttribute(name)) ?? ''));
}
