import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, newContext, screenshot, signIn, watchErrors } from './browser.ts';
import { closeTicket, overdueOwnedTicket } from './fixtures.ts';
import { startServer, type BrowserServer } from './server.ts';

let server: BrowserServer;
let browser: Browser;
/** Overdue tickets owned by an agent, made for these tests (they stay overdue when reassigned). */
const mine: string[] = [];
/** The agent who owns the test tickets. */
let owner = 'a-001';

beforeAll(async () => {
  server = await startServer();
  browser = await launchBrowser();
  const res = await fetch(`${server.url}/api/v1/live`, {
    headers: { authorization: `Bearer ${server.token}` },
  });
  const live = (await res.json()) as { agents: Array<{ agentId: string }> };
  owner = live.agents[0]?.agentId ?? owner;
  const tickets = Array.from({ length: 6 }, (_, i) =>
    overdueOwnedTicket(owner, `Console test ticket ${i + 1}`),
  );
  await server.replay(tickets.flatMap((t) => t.events));
  mine.push(...tickets.map((t) => t.ticketId));
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

async function openConsole(): Promise<{ page: Page; close: () => Promise<void>; errors: string[] }> {
  const context = await newContext(browser);
  const page = await context.newPage();
  const errors = watchErrors(page);
  await signIn(page, server, 'demo-supervisor');
  await page.waitForURL(/\/console$/);
  await page.getByTestId('alert-row').first().waitFor({ timeout: 60_000 });
  return { page, close: () => context.close(), errors };
}

/** One of this file's tickets that no other test used yet. */
function pickTicket(): string {
  const id = mine.shift();
  if (!id) throw new Error('out of test tickets');
  return id;
}

/** Opens the reassign dialog for `ticketId` and picks an agent other than the owner; returns the agent's name. */
async function startReassign(page: Page, ticketId: string): Promise<string> {
  await page
    .locator(`[data-testid=alert-row][data-ticket="${ticketId}"]`)
    .first()
    .getByTestId('reassign')
    .click();
  const dialog = page.getByTestId('reassign-dialog');
  await dialog.waitFor();
  const radio = dialog.locator('input[type=radio]:not(:disabled)').first();
  await radio.check();
  const name = (await radio.locator('xpath=..').locator('.n').textContent())?.trim() ?? '';
  await dialog.getByLabel(/Reason/).fill('browser test: balancing load');
  return name;
}

describe('console', () => {
  it('shows a reassignment made in one browser in a second browser within 1 s', async () => {
    const a = await openConsole();
    const b = await openConsole();
    const ticketId = pickTicket();
    await a.page
      .locator(`[data-testid=alert-row][data-ticket="${ticketId}"]`)
      .first()
      .waitFor({ timeout: 30_000 });
    await b.page.locator(`[data-testid=alert-row][data-ticket="${ticketId}"]`).first().waitFor();

    const name = await startReassign(a.page, ticketId);
    await a.page.getByTestId('reassign-dialog').getByRole('button', { name: 'Reassign' }).click();
    await a.page
      .getByTestId('console-message')
      .filter({ hasText: 'reassigned' })
      .waitFor({ timeout: 10_000 });
    const done = Date.now();

    // In B the ticket now shows its new owner.
    const rowsInB = b.page.locator(`[data-testid=alert-row][data-ticket="${ticketId}"]`);
    await expect
      .poll(
        async () => {
          const owners = await rowsInB.getByTestId('owner').allTextContents();
          return owners.length > 0 && owners.every((o) => o.trim() === name);
        },
        { timeout: 1000, interval: 50 },
      )
      .toBe(true);
    expect(Date.now() - done).toBeLessThanOrEqual(1000);
    expect([...a.errors, ...b.errors]).toEqual([]);
    await screenshot(a.page, 'console');
    await a.close();
    await b.close();
  });

  it('says who has the ticket now when someone else reassigned it first', async () => {
    const a = await openConsole();
    const b = await openConsole();
    const ticketId = pickTicket();
    await a.page
      .locator(`[data-testid=alert-row][data-ticket="${ticketId}"]`)
      .first()
      .waitFor({ timeout: 30_000 });
    await b.page.locator(`[data-testid=alert-row][data-ticket="${ticketId}"]`).first().waitFor();

    // Both open the dialog on the same version; A submits first.
    const nameA = await startReassign(a.page, ticketId);
    await startReassign(b.page, ticketId);
    await a.page.getByTestId('reassign-dialog').getByRole('button', { name: 'Reassign' }).click();
    await a.page
      .getByTestId('console-message')
      .filter({ hasText: 'reassigned' })
      .waitFor({ timeout: 10_000 });
    await b.page.getByTestId('reassign-dialog').getByRole('button', { name: 'Reassign' }).click();
    const msg = b.page.getByTestId('console-message');
    await msg.waitFor({ timeout: 10_000 });
    await expect.poll(() => msg.textContent()).toContain('Someone else changed ticket');
    expect(await msg.textContent()).toContain(`now with ${nameA}`);
    await screenshot(b.page, 'console-conflict');
    await a.close();
    await b.close();
  });

  it('reassigns several tickets at once', async () => {
    const a = await openConsole();
    const ids = [pickTicket(), pickTicket()];
    for (const id of ids) {
      const row = a.page.locator(`[data-testid=alert-row][data-ticket="${id}"]`).first();
      await row.waitFor({ timeout: 30_000 });
      await row.getByRole('checkbox').check();
    }
    await a.page.getByTestId('bulk-reassign').click();
    const dialog = a.page.getByTestId('reassign-dialog');
    await dialog.locator('input[type=radio]:not(:disabled)').first().check();
    await dialog.getByLabel(/Reason/).fill('browser test: bulk');
    await dialog.getByRole('button', { name: 'Reassign' }).click();
    await expect
      .poll(() => a.page.getByTestId('console-message').textContent(), { timeout: 10_000 })
      .toMatch(/of 2 tickets reassigned/);
    await a.close();
  });

  it('reassigns only the selected tickets a filter still shows', async () => {
    // Two fresh tickets: one 10 min late, one 3 h late.
    const recent = overdueOwnedTicket(owner, 'Filter test: 10 min late', 130);
    const old = overdueOwnedTicket(owner, 'Filter test: 3 h late', 300);
    await server.replay([...recent.events, ...old.events]);
    const a = await openConsole();
    const row = (id: string) => a.page.locator(`[data-testid=alert-row][data-ticket="${id}"]`).first();
    for (const id of [recent.ticketId, old.ticketId]) {
      await row(id).waitFor({ timeout: 30_000 });
      await row(id).getByRole('checkbox').check();
    }
    await expect.poll(() => a.page.getByTestId('bulk-reassign').textContent()).toContain('(2)');

    // "How late: 1 h or more" hides the recent one; it leaves the selection.
    await a.page.getByLabel('How late').selectOption('60');
    await row(recent.ticketId).waitFor({ state: 'detached' });
    expect(await row(old.ticketId).isVisible()).toBe(true);
    expect(await a.page.getByTestId('bulk-reassign').textContent()).toContain('(1)');
    await a.page.getByTestId('bulk-reassign').click();
    const dialog = a.page.getByTestId('reassign-dialog');
    expect(await dialog.getByRole('heading').textContent()).toContain(`ticket ${old.ticketId}`);
    await dialog.locator('input[type=radio]:not(:disabled)').first().check();
    await dialog.getByLabel(/Reason/).fill('browser test: filtered bulk');
    await dialog.getByRole('button', { name: 'Reassign' }).click();
    await a.page
      .getByTestId('console-message')
      .filter({ hasText: 'reassigned' })
      .waitFor({ timeout: 10_000 });

    // The hidden ticket kept its owner.
    await a.page.getByLabel('How late').selectOption('');
    await expect.poll(() => row(old.ticketId).getAttribute('data-owner'), { timeout: 5000 }).not.toBe(owner);
    expect(await row(recent.ticketId).getAttribute('data-owner')).toBe(owner);
    await a.close();
  });

  it('says a ticket was closed meanwhile, not changed by someone else', async () => {
    const t = overdueOwnedTicket(owner, 'Closed meanwhile');
    await server.replay(t.events);
    const a = await openConsole();
    await a.page
      .locator(`[data-testid=alert-row][data-ticket="${t.ticketId}"]`)
      .first()
      .waitFor({ timeout: 30_000 });
    await startReassign(a.page, t.ticketId);
    await server.replay([closeTicket(t.ticketId)]);
    await a.page.getByTestId('reassign-dialog').getByRole('button', { name: 'Reassign' }).click();
    const msg = a.page.getByTestId('console-message');
    await msg.waitFor({ timeout: 10_000 });
    expect(await msg.textContent()).toContain(`Ticket ${t.ticketId} was closed in the meantime`);
    expect(await msg.textContent()).not.toContain('someone else');
    await a.close();
  });

  it('shows no earlier ticket’s detail while another ticket’s detail loads', async () => {
    const a = await openConsole();
    const rows = a.page.getByTestId('alert-row');
    const first = (await rows.nth(0).getAttribute('data-ticket')) ?? '';
    const firstSubject = (await rows.nth(0).getByTestId('ticket-subject').textContent()) ?? '';
    let second = '';
    for (let i = 1; i < (await rows.count()) && second === ''; i++) {
      const id = (await rows.nth(i).getAttribute('data-ticket')) ?? '';
      if (id !== first) second = id;
    }
    expect(second).not.toBe('');
    await rows.nth(0).getByTestId('ticket-subject').click();
    await a.page.getByTestId('detail-subject').waitFor();
    expect(await a.page.getByTestId('detail-subject').textContent()).toBe(firstSubject);

    // The second ticket's detail answers slowly: meanwhile the first one's must not show.
    await a.page.route(`**/api/v1/tickets/${second}`, async (route) => {
      await new Promise((r) => setTimeout(r, 1500));
      await route.continue();
    });
    await a.page
      .locator(`[data-testid=alert-row][data-ticket="${second}"]`)
      .first()
      .getByTestId('ticket-subject')
      .click();
    await a.page.getByTestId('detail-loading').waitFor({ timeout: 1000 });
    expect(await a.page.getByTestId('detail-subject').count()).toBe(0);
    expect(await a.page.getByTestId('ticket-detail').textContent()).toContain(`Ticket ${second}`);
    await a.page.getByTestId('detail-subject').waitFor({ timeout: 10_000 });
    await a.close();
  });

  it('reads the escalation alerts again as soon as the server pushes one', async () => {
    const a = await openConsole();
    await a.page.getByTestId('escalations').waitFor();
    const reads: number[] = [];
    a.page.on('request', (r) => {
      if (new URL(r.url()).pathname === '/api/v1/alerts') reads.push(Date.now());
    });
    const t = overdueOwnedTicket(owner, 'Escalation push test');
    const pushed = new Promise<number>((resolve) => {
      a.page.on('websocket', (ws) =>
        ws.on('framereceived', (f) => {
          if (
            typeof f.payload === 'string' &&
            f.payload.includes('"alert"') &&
            f.payload.includes(t.ticketId)
          )
            resolve(Date.now());
        }),
      );
    });
    // The page's socket is already open: watch it through a fresh one.
    await a.page.reload();
    await a.page.getByTestId('alert-row').first().waitFor({ timeout: 60_000 });
    await server.replay(t.events);
    const at = await pushed; // the escalation sweep runs every 5 s
    await expect
      .poll(() => reads.some((r) => r >= at && r - at <= 1500), { timeout: 3000, interval: 100 })
      .toBe(true);
    await a.page
      .locator(`[data-testid=escalation][data-ticket="${t.ticketId}"]`)
      .first()
      .waitFor({ timeout: 5000 });
    await a.close();
  });
});
