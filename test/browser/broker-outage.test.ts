/**
 * The wallboard of a server that consumes from a real Kafka-protocol broker (librdkafka's mock
 * cluster): the broker goes silent for 30 s (frozen with SIGSTOP: the mock keeps its topics only in
 * memory, so a killed one would lose them), the TV says its data is stale, and once the broker is back
 * the banner goes and new events show again.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ev } from '../support/events.ts';
import { testConfig } from '../support/harness.ts';
import { produceEvents, simulatedEvents } from '../support/kafka.ts';
import { startMockBroker, type MockBrokerHandle } from '../support/services.ts';
import { launchBrowser, newContext, screenshot } from './browser.ts';
import { startServer, type BrowserServer } from './server.ts';

const OUTAGE_MS = 30_000;

let broker: MockBrokerHandle;
let server: BrowserServer;
let browser: Browser;

beforeAll(async () => {
  broker = await startMockBroker();
  server = await startServer({ KAFKA_BROKERS: broker.brokers, SIMULATOR: 'off' });
  browser = await launchBrowser();
});

afterAll(async () => {
  broker?.resume();
  await browser?.close();
  await server?.stop();
  await broker?.stop();
});

describe('broker outage on the wallboard', () => {
  it('shows the data stale while the broker is silent, and fresh data again after it is back', async () => {
    // The server's default topics, on this test's own broker.
    const config = { ...testConfig(), kafka: { ...testConfig().kafka, brokers: [broker.brokers] } };
    await produceEvents(config, simulatedEvents(config, 2, 5));

    const context = await newContext(browser, 'tv');
    const page = await context.newPage();
    await page.goto(`${server.url}/wallboard?token=${server.token}&views=agents`);
    await page.getByTestId('agent').first().waitFor({ timeout: 60_000 });
    const banner = page.getByTestId('stale-banner');
    expect(await banner.count()).toBe(0);

    broker.pause();
    const pausedAt = Date.now();
    try {
      // The consumer notices the silent broker (no fetch or heartbeat answered for 15 s), the server
      // stops pushing, and the TV goes stale 5 s after its last update.
      await banner.waitFor({ timeout: OUTAGE_MS });
      expect(await banner.textContent()).toMatch(/Data is stale since \d\d:\d\d:\d\d/);
      expect(await page.getByTestId('wallboard').getAttribute('data-stale')).toBe('true');
      await screenshot(page, 'wallboard-broker-outage');
      const remaining = OUTAGE_MS - (Date.now() - pausedAt);
      if (remaining > 0) await page.waitForTimeout(remaining);
      expect(await banner.count()).toBe(1);
    } finally {
      broker.resume();
    }

    await banner.waitFor({ state: 'detached', timeout: 90_000 });
    expect(await page.getByTestId('wallboard').getAttribute('data-stale')).toBe('false');
    // Ingestion runs again: an agent signing in now reaches the board.
    const agentId = `e2e-after-outage-${Date.now()}`;
    await produceEvents(config, [
      ev.agent({
        agentId,
        name: 'Beatrix Afteroutage',
        team: 'sales',
        state: 'available',
        ts: new Date().toISOString(),
      }),
    ]);
    await page.locator(`[data-agent="${agentId}"]`).waitFor({ timeout: 30_000 });
    await context.close();
  });
});
