import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { attrs, launchBrowser, newContext, screenshot, UPDATE_SCREENSHOTS, watchErrors } from './browser.ts';
import type { LiveSnapshot } from '../../server/contract/api.ts';
import { createToken } from './api.ts';
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
    if (UPDATE_SCREENSHOTS) await screenshot(page, 'wallboard-readme', { docs: 'docs/wallboard.png' });
    await context.close();
  });

  it('draws the satisfaction trend of the last hour at once, and counts every overdue ticket', async () => {
    const context = await newContext(browser, 'tv');
    const page = await context.newPage();
    await page.goto(`${server.url}/wallboard?token=${server.token}`);
    await page.getByTestId('queue-tile').first().waitFor({ timeout: 20_000 });
    const live = async () => {
      const res = await fetch(`${server.url}/api/v1/live`, {
        headers: { authorization: `Bearer ${server.token}` },
      });
      return (await res.json()) as LiveSnapshot;
    };
    // The trend comes with the snapshot: as many minutes with surveys as the server has, on the first
    // render (not one point per few seconds since the page loaded, as after a TV restart before).
    const snap = await live();
    expect(snap.satisfaction.trend).toHaveLength(60);
    const withSurveys = snap.satisfaction.trend.filter((m) => m.mean.speed !== null).length;
    expect(withSurveys, 'the simulator submitted surveys in the last hour').toBeGreaterThan(1);
    const sparks = page.locator('.sat .spark');
    expect(await sparks.count()).toBe(4);
    const points = Number(await sparks.first().getAttribute('data-points'));
    expect(points).toBeGreaterThanOrEqual(withSurveys - 2);
    expect(await sparks.first().getAttribute('aria-label')).toContain('of 60 points');
    // The heading counts all overdue and at-risk tickets, as the server does (not the listed ones).
    const shown = async () =>
      [
        await page.getByTestId('overdue-count').textContent(),
        await page.getByTestId('at-risk-count').textContent(),
      ].join(' ');
    const counted = async () => {
      const t = (await live()).tickets;
      return `${t.overdueCount.toLocaleString('en-US')} overdue ${t.atRiskCount.toLocaleString('en-US')} at risk`;
    };
    await expect.poll(async () => (await shown()) === (await counted()), { timeout: 15_000 }).toBe(true);
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

describe('wallboard access and sound', () => {
  it('titles a team token’s board with its team, and says why a view outside it is refused', async () => {
    const sales = await createToken(server, { role: 'wallboard', teams: ['sales'], name: 'tv-sales-e2e' });
    const context = await newContext(browser, 'tv');
    const page = await context.newPage();
    await page.goto(`${server.url}/wallboard?token=${sales}`);
    await page.getByTestId('agent').first().waitFor({ timeout: 20_000 });
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Sales');
    expect(await page.title()).toContain('Sales');

    // A fresh tab asking for a team the token may not see: the reason, not "Connecting…" for ever.
    const other = await context.newPage();
    await other.goto(`${server.url}/wallboard?token=${sales}&teams=billing`);
    const message = other.getByTestId('board-message');
    await expect
      .poll(() => message.textContent(), { timeout: 15_000 })
      .toContain('not in your teams: billing');
    expect(await other.getByTestId('feed-error-banner').textContent()).toContain(
      'not in your teams: billing',
    );
    await screenshot(other, 'wallboard-refused');
    await context.close();
  });

  it('says when the browser blocks the alarm sound, until a click enables it', async () => {
    const context = await newContext(browser, 'tv');
    // Headless Chromium lets any page play audio; a TV's Chromium without the kiosk flag does not
    // until someone clicks. Emulate that policy: audio starts suspended and resumes only after a real
    // click or key press (navigator.userActivation would count the test's own script calls).
    await context.addInitScript(`{
      let clicked = false;
      for (const type of ['pointerdown', 'keydown'])
        addEventListener(type, (e) => { if (e.isTrusted) clicked = true; }, true);
      const Real = window.AudioContext;
      window.AudioContext = class extends Real {
        constructor(...args) { super(...args); void super.suspend(); }
        resume() { return clicked ? super.resume() : new Promise(() => {}); }
      };
    }`);
    const page = await context.newPage();
    await page.goto(`${server.url}/wallboard?token=${server.token}&sound=1`);
    await page.getByTestId('queue-tile').first().waitFor({ timeout: 20_000 });
    const hint = page.getByTestId('sound-hint');
    await hint.waitFor({ timeout: 5000 });
    expect(await hint.textContent()).toContain('Sound blocked — click to enable');
    expect(await page.getByTestId('updated').textContent()).not.toContain('sound on');
    await screenshot(page, 'wallboard-sound-blocked');
    await hint.click();
    await hint.waitFor({ state: 'detached', timeout: 5000 });
    await expect.poll(() => page.getByTestId('updated').textContent()).toContain('sound on');
    await context.close();
  });

  it('turns sound on without a click where the browser allows audio (a kiosk Chromium with --autoplay-policy=no-user-gesture-required)', async () => {
    // Headless Chromium allows audio by default, as the kiosk flag does.
    const context = await newContext(browser, 'tv');
    const page = await context.newPage();
    await page.goto(`${server.url}/wallboard?token=${server.token}&sound=1`);
    await page.getByTestId('queue-tile').first().waitFor({ timeout: 20_000 });
    await expect.poll(() => page.getByTestId('updated').textContent()).toContain('sound on');
    expect(await page.getByTestId('sound-hint').count()).toBe(0);
    await context.close();
  });
});
