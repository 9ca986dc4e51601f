import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { attrs, launchBrowser, newContext, screenshot, UPDATE_SCREENSHOTS, watchErrors } from './browser.ts';
import { startServer, type BrowserServer } from './server.ts';

let server: BrowserServer;
let browser: Browser;

beforeAll(async () => {
  server = await startServer();
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

describe('wallboard', () => {
  it('shows live numbers from the simulator and they change over time', async () => {
    const context = await newContext(browser, 'tv');
    const page = await context.newPage();
    const errors = watchErrors(page);
    await page.goto(`${server.url}/wallboard?token=${server.token}`);
    await page.getByTestId('queue-tile').first().waitFor({ timeout: 20_000 });

    // The numbers are the server's: the simulator's queues and agents, with calls answered this shift.
    const queues = await attrs(page.getByTestId('queue-tile'), 'data-queue');
    expect(queues).toEqual(expect.arrayContaining(['sales', 'support']));
    const answered = (await page.getByTestId('answered').allTextContents()).map(Number);
    expect(answered.every((n) => Number.isInteger(n) && n >= 0)).toBe(true);
    expect(await page.getByTestId('agent').count()).toBeGreaterThan(0);
    await expect.poll(() => page.getByTestId('clock').textContent()).toMatch(/^\d\d:\d\d:\d\d$/);

    // Server-side figures (queue counts, agent states) move as the simulator runs.
    const fingerprint = async () =>
      JSON.stringify([
        await page.getByTestId('answered').allTextContents(),
        await page.getByTestId('waiting').allTextContents(),
        await attrs(page.getByTestId('agent'), 'data-agent'),
        await attrs(page.getByTestId('agent'), 'data-state'),
        await page.getByTestId('ticket-alert').count(),
      ]);
    const first = await fingerprint();
    await expect.poll(fingerprint, { timeout: 90_000, interval: 1000 }).not.toBe(first);

    // Times in state tick every second on the client.
    const t0 = await page.getByTestId('time-in-state').first().textContent();
    await expect
      .poll(() => page.getByTestId('time-in-state').first().textContent(), { timeout: 5000 })
      .not.toBe(t0);

    expect(errors).toEqual([]);
    await screenshot(page, 'wallboard');
    if (UPDATE_SCREENSHOTS) {
      // For the README: let the satisfaction sparklines (one point per 5 s since load) grow a little.
      await page.waitForTimeout(20_000);
      await screenshot(page, 'wallboard-readme', { docs: 'docs/wallboard.png' });
    }
    await context.close();
  });

  it('fits 1920×1080 without scrolling', async () => {
    const context = await newContext(browser, 'tv');
    const page = await context.newPage();
    await page.goto(`${server.url}/wallboard?token=${server.token}`);
    await page.getByTestId('agent').first().waitFor({ timeout: 20_000 });
    const size = (await page.evaluate(
      '({ w: document.documentElement.scrollWidth, h: document.documentElement.scrollHeight })',
    )) as { w: number; h: number };
    expect(size).toEqual({ w: 1920, h: 1080 });
    await context.close();
  });

  it('shows only the teams and queues named in the address and rotates views', async () => {
    const context = await newContext(browser, 'tv');
    const page = await context.newPage();
    await page.goto(
      `${server.url}/wallboard?token=${server.token}&teams=sales&queues=sales,billing&rotate=5`,
    );
    await page.getByTestId('queue-tile').first().waitFor({ timeout: 20_000 });
    const queues = await attrs(page.getByTestId('queue-tile'), 'data-queue');
    expect(queues.sort()).toEqual(['billing', 'sales']);
    await expect
      .poll(() => page.getByTestId('wallboard').getAttribute('data-view'), { timeout: 12_000 })
      .toBe('agents');
    expect(await page.getByTestId('agent').count()).toBeGreaterThan(0);
    await screenshot(page, 'wallboard-sales-agents');
    await context.close();
  });
});
