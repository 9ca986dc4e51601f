import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, newContext, screenshot, signIn, watchErrors } from './browser.ts';
import { overdueOwnedTicket } from './fixtures.ts';
import { startServer, type BrowserServer } from './server.ts';

let server: BrowserServer;
let browser: Browser;
/** Overdue tickets owned by an agent, made for these tests (they stay overdue when reassigned). */
const mine: string[] = [];

beforeAll(async () => {
  server = await startServer();
  browser = await launchBrowser();
  const res = await fetch(`${server.url}/api/v1/live`, {
    headers: { authorization: `Bearer ${server.token}` },
  });
  const live = (await res.json()) as { agents: Array<{ agentId: string }> };
  const owner = live.agents[0]?.agentId ?? 'a-001';
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
});
