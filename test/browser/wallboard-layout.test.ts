/**
 * The wallboard on a 1920×1080 TV with a large floor (10 queues, 60 agents, 24 ticket alerts): every
 * queue tile, agent card and ticket row is shown in full (not cut off by its panel), in type readable
 * from 5 m, and what does not fit on one screen is shown page by page, so nothing is left out.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { attrs, launchBrowser, newContext, screenshot, watchErrors } from './browser.ts';
import { bigFloor } from './fixtures.ts';
import { checkLayout, fontSizes } from './layout.ts';
import { startServer, type BrowserServer } from './server.ts';

/**
 * Smallest type: a 1080p TV seen from 5 m. Labels and secondary text at least 20 px, agent names 24,
 * times in state 28, the queues' key numbers (waiting, longest wait) 36, the clock 48.
 */
const MIN_TEXT_PX = 20;
const MIN_AGENT_NAME_PX = 24;
const MIN_TIME_IN_STATE_PX = 28;
const MIN_QUEUE_KEY_PX = 36;
const MIN_CLOCK_PX = 48;
/** Seconds per page (the shortest the URL allows), so the test sees every page quickly. */
const PAGE_SECONDS = 5;

let server: BrowserServer;
let browser: Browser;
let floor: ReturnType<typeof bigFloor>;

beforeAll(async () => {
  // The simulator off: the floor is exactly the replayed one.
  server = await startServer({ SIMULATOR: 'off' });
  browser = await launchBrowser();
  floor = bigFloor();
  await server.replay(floor.events);
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

interface Seen {
  queues: Set<string>;
  agents: Set<string>;
  tickets: Set<string>;
}

/** Samples the page while its panels turn their pages; checks the layout at every sample. */
async function watchPages(page: Page, want: Array<keyof Seen>, name: string): Promise<Seen> {
  const seen: Seen = { queues: new Set(), agents: new Set(), tickets: new Set() };
  const total = { queues: floor.queues.length, agents: floor.agents.length, tickets: floor.tickets.length };
  const done = () => want.every((k) => seen[k].size >= total[k]);
  const deadline = Date.now() + 12 * PAGE_SECONDS * 1000;
  let shots = 0;
  while (!done() && Date.now() < deadline) {
    const report = await checkLayout(page, {
      selector:
        '[data-testid=queue-tile], [data-testid=agent], [data-testid=ticket-alert], [data-testid=wallboard] header',
      root: 'body',
      minFontPx: MIN_TEXT_PX,
    });
    expect(report.cut, `${name}: everything shown in full`).toEqual([]);
    expect(report.tooSmall, `${name}: no text under ${MIN_TEXT_PX}px`).toEqual([]);
    for (const q of await attrs(page.getByTestId('queue-tile'), 'data-queue')) seen.queues.add(q);
    for (const a of await attrs(page.getByTestId('agent'), 'data-agent')) seen.agents.add(a);
    for (const t of await attrs(page.getByTestId('ticket-alert'), 'data-ticket')) seen.tickets.add(t);
    if (shots < 3) await screenshot(page, `wallboard-large-${name}-${++shots}`);
    await page.waitForTimeout(1500);
  }
  return seen;
}

async function open(view: string): Promise<Page> {
  const context = await newContext(browser, 'tv');
  const page = await context.newPage();
  await page.goto(`${server.url}/wallboard?token=${server.token}&views=${view}&page=${PAGE_SECONDS}`);
  await page.getByTestId('wallboard').waitFor();
  const shown = page.locator('[data-testid=queue-tile], [data-testid=agent], [data-testid=ticket-alert]');
  await shown.first().waitFor({ timeout: 30_000 });
  await screenshot(page, `wallboard-large-${view}`);
  return page;
}

describe('wallboard with 10 queues and 60 agents at 1920×1080', () => {
  it('shows every queue, agent and ticket in full and in large type on the overview, page by page', async () => {
    const page = await open('overview');
    const errors = watchErrors(page);
    const size = (await page.evaluate(
      '({ w: document.documentElement.scrollWidth, h: document.documentElement.scrollHeight })',
    )) as { w: number; h: number };
    expect(size).toEqual({ w: 1920, h: 1080 });

    const names = await fontSizes(page, '[data-testid=agent-name]');
    expect(names.length).toBeGreaterThan(0);
    expect(Math.min(...names)).toBeGreaterThanOrEqual(MIN_AGENT_NAME_PX);
    expect(Math.min(...(await fontSizes(page, '[data-testid=time-in-state]')))).toBeGreaterThanOrEqual(
      MIN_TIME_IN_STATE_PX,
    );
    const keys = await fontSizes(page, '[data-testid=waiting], [data-testid=longest-wait]');
    expect(keys.length).toBeGreaterThan(0);
    expect(Math.min(...keys)).toBeGreaterThanOrEqual(MIN_QUEUE_KEY_PX);
    expect(Math.min(...(await fontSizes(page, '[data-testid=clock]')))).toBeGreaterThanOrEqual(MIN_CLOCK_PX);

    const seen = await watchPages(page, ['queues', 'agents', 'tickets'], 'overview');
    expect([...seen.queues].sort()).toEqual([...floor.queues].sort());
    expect([...seen.agents].sort()).toEqual([...floor.agents].sort());
    expect([...seen.tickets].sort()).toEqual([...floor.tickets].sort());
    expect(errors).toEqual([]);
    await page.context().close();
  });

  for (const [view, want] of [
    ['queues', ['queues']],
    ['agents', ['agents']],
    ['tickets', ['tickets']],
  ] as const) {
    it(`shows every ${view.slice(0, -1)} in full and in large type on the ${view} view`, async () => {
      const page = await open(view);
      const seen = await watchPages(page, [...want], view);
      for (const k of want) expect([...seen[k]].sort()).toEqual([...floor[k]].sort());
      await page.context().close();
    });
  }
});
