import { randomUUID } from 'node:crypto';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, newContext, screenshot, signIn, watchErrors } from './browser.ts';
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

describe('wallboard token', () => {
  it('shows no reassign control and a forged reassign request from it is refused', async () => {
    const context = await newContext(browser, 'tv');
    const page = await context.newPage();
    await page.goto(`${server.url}/wallboard?token=${server.token}`);
    await page.getByTestId('queue-tile').first().waitFor({ timeout: 20_000 });

    // The token left the address bar and history; the tab keeps it in sessionStorage.
    expect(page.url()).not.toContain('token');
    expect(page.url()).not.toContain('fbt_');
    expect(await page.evaluate('sessionStorage.getItem("floorboard.token")')).toBe(server.token);

    expect(await page.getByRole('button', { name: /reassign/i }).count()).toBe(0);
    // The console is not for TVs: it sends the session back to the wallboard, still without controls.
    await page.goto(`${server.url}/console`);
    await page.waitForURL(/\/wallboard$/);
    await page.getByTestId('queue-tile').first().waitFor({ timeout: 20_000 });
    expect(await page.getByRole('button', { name: /reassign/i }).count()).toBe(0);
    expect(await page.getByTestId('reassign').count()).toBe(0);

    // A request made with the token anyway is refused by the server.
    const alert = (await page.request
      .get(`${server.url}/api/v1/live`, { headers: { authorization: `Bearer ${server.token}` } })
      .then((r) => r.json())) as {
      tickets: { overdue: Array<{ ticketId: string; version: number }> };
      agents: Array<{ agentId: string }>;
    };
    const ticketId = alert.tickets.overdue[0]?.ticketId ?? 'any-ticket';
    const forged = await page.request.post(`${server.url}/api/v1/tickets/${ticketId}/assign`, {
      headers: { authorization: `Bearer ${server.token}` },
      data: { agentId: alert.agents[0]?.agentId ?? 'a-001', reason: 'forged', expectedVersion: 1 },
    });
    expect(forged.status()).toBe(403);
    const bulk = await page.request.post(`${server.url}/api/v1/tickets/reassign`, {
      headers: { authorization: `Bearer ${server.token}` },
      data: { agentId: 'a-001', reason: 'forged', items: [{ ticketId, expectedVersion: 1 }] },
    });
    expect(bulk.status()).toBe(403);
    await context.close();
  });

  it('signs a wallboard user in to the wallboard only', async () => {
    const context = await newContext(browser);
    const page = await context.newPage();
    await signIn(page, server, 'demo-wallboard');
    await page.waitForURL(/\/wallboard$/);
    await page.getByTestId('queue-tile').first().waitFor({ timeout: 20_000 });
    expect(await page.getByRole('button', { name: /reassign/i }).count()).toBe(0);
    await context.close();
  });
});

describe('untrusted text', () => {
  it('renders a ticket subject containing an XSS payload as plain text', async () => {
    const payload = `<img src=x onerror="window.__xss=1"><script>window.__xss=2</script>"'><svg onload=window.__xss=3> ${randomUUID().slice(0, 8)}`;
    const ticketId = `xss-${randomUUID().slice(0, 8)}`;
    const hourAgo = new Date(Date.now() - 60 * 60_000).toISOString();
    await server.replay([
      {
        id: `e-${ticketId}`,
        type: 'ticket.created',
        ts: hourAgo,
        ticketId,
        kind: 'technical',
        priority: 'high',
        tier: 'vip',
        subject: payload,
      },
    ]);

    const context = await newContext(browser);
    const page = await context.newPage();
    const errors = watchErrors(page);
    await signIn(page, server, 'demo-supervisor');
    const row = page.locator(`[data-testid=alert-row][data-ticket="${ticketId}"]`).first();
    await row.waitFor({ timeout: 30_000 });
    expect((await row.getByTestId('ticket-subject').textContent())?.trim()).toBe(payload);
    expect(await row.locator('img, script, svg').count()).toBe(0);
    await row.getByTestId('ticket-subject').click();
    await expect.poll(() => page.getByTestId('detail-subject').textContent()).toBe(payload);

    await page.goto(`${server.url}/wallboard`);
    const tile = page.locator(`[data-testid=ticket-alert][data-ticket="${ticketId}"]`);
    await tile.waitFor({ timeout: 20_000 });
    expect(await tile.getByTestId('ticket-subject').textContent()).toBe(payload);
    expect(await page.locator('[data-testid=wallboard] img').count()).toBe(0);

    expect(await page.evaluate('window.__xss')).toBeUndefined();
    expect(errors).toEqual([]);
    await screenshot(page, 'wallboard-xss');
    await context.close();
  });
});
