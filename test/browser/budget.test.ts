/**
 * The wallboard's budgets (issue 4): its JavaScript, chart.js included, at most 200 KB gzip, and the
 * first render with live data within 1 s of navigation from localhost. Functional budget checks on a
 * shared CI machine, not benchmarks: the render time is the median of three cold loads.
 */
import { gzipSync } from 'node:zlib';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, newContext } from './browser.ts';
import { startServer, type BrowserServer } from './server.ts';

const SCRIPT_BUDGET_BYTES = 200 * 1024;
const FIRST_RENDER_BUDGET_MS = 1000;

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

/** Opens the wallboard in a fresh context; resolves when a queue tile with live numbers shows. */
async function loadWallboard(onScript?: (url: string, body: Buffer) => void) {
  const context = await newContext(browser, 'tv');
  const page = await context.newPage();
  const pending: Array<Promise<void>> = [];
  if (onScript) {
    page.on('response', (res) => {
      const type = res.headers()['content-type'] ?? '';
      if (res.request().resourceType() === 'script' || type.includes('javascript')) {
        pending.push(res.body().then((b) => onScript(res.url(), b)));
      }
    });
  }
  await page.goto(`${server.url}/wallboard?token=${server.token}`);
  await page.locator('[data-testid=queue-tile] [data-testid=waiting]').first().waitFor({ timeout: 20_000 });
  // When the app marked the first render with data (ms after navigation started).
  const markedAt = (await page.evaluate(
    `performance.getEntriesByName('floorboard:wallboard-data')[0]?.startTime ?? null`,
  )) as number | null;
  await page.waitForLoadState('networkidle');
  await Promise.all(pending);
  await context.close();
  return markedAt;
}

describe('wallboard budgets', () => {
  it('loads at most 200 KB of gzipped JavaScript, chart.js included', async () => {
    const scripts = new Map<string, number>();
    let chartJs = false;
    await loadWallboard((url, body) => {
      scripts.set(url, gzipSync(body, { level: 9 }).length);
      if (body.includes('chartArea')) chartJs = true;
    });
    const total = [...scripts.values()].reduce((a, b) => a + b, 0);
    const list = [...scripts]
      .map(([u, n]) => `${(n / 1024).toFixed(1)} KB ${new URL(u).pathname}`)
      .join('\n');
    console.info(`wallboard JavaScript: ${scripts.size} files, ${(total / 1024).toFixed(1)} KB gzip`);
    expect(scripts.size, 'the page loaded its scripts').toBeGreaterThan(3);
    expect(chartJs, 'chart.js (the sparklines) is among them').toBe(true);
    expect(total, `wallboard JavaScript over budget:\n${list}`).toBeLessThanOrEqual(SCRIPT_BUDGET_BYTES);
  });

  it('renders live numbers within 1 s of navigation from localhost', async () => {
    await loadWallboard(); // warm-up: the server's first page and the browser's first process
    const times: number[] = [];
    for (let i = 0; i < 3; i++) {
      const t = await loadWallboard();
      expect(t, 'the wallboard marks its first render with data').not.toBeNull();
      times.push(t ?? Number.POSITIVE_INFINITY);
    }
    const median = [...times].sort((a, b) => a - b)[1] ?? Number.POSITIVE_INFINITY;
    console.info(`wallboard first render with data: ${times.map((t) => `${Math.round(t)} ms`).join(', ')}`);
    expect(
      median,
      `first render with live data took ${times.map(Math.round).join(' / ')} ms (median ${Math.round(median)} ms); budget ${FIRST_RENDER_BUDGET_MS} ms`,
    ).toBeLessThanOrEqual(FIRST_RENDER_BUDGET_MS);
  });
});
