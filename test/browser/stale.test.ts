import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, newContext, screenshot } from './browser.ts';
import { startServer, type BrowserServer } from './server.ts';

let server: BrowserServer;
let browser: Browser;

beforeAll(async () => {
  server = await startServer();
  browser = await launchBrowser();
});

afterAll(async () => {
  server?.resume();
  await browser?.close();
  await server?.stop();
});

describe('stale data', () => {
  it('shows a stale banner when the server stops pushing and hides it after it resumes', async () => {
    const context = await newContext(browser, 'tv');
    const page = await context.newPage();
    await page.goto(`${server.url}/wallboard?token=${server.token}`);
    await page.getByTestId('queue-tile').first().waitFor({ timeout: 20_000 });
    const banner = page.getByTestId('stale-banner');
    expect(await banner.count()).toBe(0);

    server.pause();
    const pausedAt = Date.now();
    try {
      await banner.waitFor({ timeout: 15_000 });
      // Not before 5 s without updates.
      expect(Date.now() - pausedAt).toBeGreaterThanOrEqual(4000);
      expect(await banner.textContent()).toMatch(/Data is stale since \d\d:\d\d:\d\d/);
      await screenshot(page, 'wallboard-stale');
    } finally {
      server.resume();
    }
    await banner.waitFor({ state: 'detached', timeout: 30_000 });
    expect(await page.getByTestId('queue-tile').count()).toBeGreaterThan(0);
    await context.close();
  });
});
