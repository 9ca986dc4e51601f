import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, newContext, screenshot } from './browser.ts';
import { startProxy, type Proxy } from './proxy.ts';
import { startServer, type BrowserServer } from './server.ts';

let server: BrowserServer;
let browser: Browser;
let proxy: Proxy;

beforeAll(async () => {
  server = await startServer();
  browser = await launchBrowser();
  proxy = await startProxy(server.url);
});

afterAll(async () => {
  server?.resume();
  await proxy?.stop();
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

  it('reconnects on its own after the connection dropped, and shows what changed meanwhile', async () => {
    const context = await newContext(browser, 'tv');
    const page = await context.newPage();
    const sockets: string[] = [];
    page.on('websocket', (ws) => sockets.push(ws.url()));
    // The TV reaches the server through a proxy that the test can cut.
    await page.goto(`${proxy.url}/wallboard?token=${server.token}&views=agents`);
    await page.getByTestId('agent').first().waitFor({ timeout: 20_000 });
    expect(sockets).toHaveLength(1);
    const banner = page.getByTestId('stale-banner');

    proxy.cut();
    const cutAt = Date.now();
    // While the TV is cut off, an agent signs in: only a fresh snapshot can bring it.
    const agentId = `e2e-reconnect-${cutAt}`;
    await server.replay([
      {
        id: `${agentId}-s`,
        type: 'agent.state',
        ts: new Date().toISOString(),
        agentId,
        name: 'Aaron Reconnect',
        team: 'sales',
        state: 'break',
        reason: 'lunch',
      },
    ]);
    try {
      await banner.waitFor({ timeout: 15_000 });
      expect(Date.now() - cutAt).toBeGreaterThanOrEqual(4000);
      expect(await banner.textContent()).toContain('reconnecting');
      expect(await page.locator(`[data-agent="${agentId}"]`).count()).toBe(0);
      await screenshot(page, 'wallboard-reconnecting');
      await page.waitForTimeout(3000); // a few refused attempts
    } finally {
      proxy.restore();
    }
    // Socket.IO reconnects within its backoff (at most 5 s + jitter) and the feed re-subscribes.
    await banner.waitFor({ state: 'detached', timeout: 20_000 });
    await page.locator(`[data-agent="${agentId}"]`).waitFor({ timeout: 10_000 });
    expect(sockets.length).toBeGreaterThanOrEqual(2);
    expect(await page.getByTestId('wallboard').getAttribute('data-stale')).toBe('false');
    await context.close();
  });
});
