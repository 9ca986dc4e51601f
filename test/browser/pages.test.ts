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

describe('sign-in', () => {
  it('signs in with the keyboard alone and lands on the home page of the role', async () => {
    const context = await newContext(browser);
    const page = await context.newPage();
    await page.goto(`${server.url}/console`);
    await page.waitForURL(/\/login\?next=%2Fconsole$/);
    await screenshot(page, 'login');
    const u = server.users.get('demo-lead');
    if (!u) throw new Error('no demo-lead');
    // The username field has focus; type, Tab to the password, Enter submits.
    await page.keyboard.type(u.name);
    await page.keyboard.press('Tab');
    await page.keyboard.type(u.password);
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/console$/);
    await context.close();
  });

  it('says so when the password is wrong', async () => {
    const context = await newContext(browser);
    const page = await context.newPage();
    await page.goto(`${server.url}/login`);
    await page.getByLabel('Username').fill('demo-manager');
    await page.getByLabel('Password').fill('not-the-password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('Wrong username or password');
    expect(page.url()).toContain('/login');
    await screenshot(page, 'login-error');
    await context.close();
  });
});

describe('manager pages', () => {
  it('shows the shift report with KPI cards, charts and the agent table, and the audit log', async () => {
    const context = await newContext(browser);
    const page = await context.newPage();
    const errors = watchErrors(page);
    await signIn(page, server, 'demo-manager');
    await page.waitForURL(/\/reports$/);
    await page.getByTestId('kpi').first().waitFor({ timeout: 20_000 });
    expect(await page.getByTestId('kpi').count()).toBeGreaterThanOrEqual(10);
    expect(await page.locator('canvas').count()).toBeGreaterThanOrEqual(8);
    for (const name of [
      'Calls offered per hour',
      'Service level per hour',
      'ASA per hour',
      'Satisfaction per hour',
    ]) {
      await expect.poll(() => page.getByRole('img', { name, exact: true }).locator('canvas').count()).toBe(1);
    }
    // The whole day: one row per clock hour (23–25) in the table behind each hourly chart.
    const hourRows = page.getByRole('table', { name: 'Calls offered per hour' }).locator('tbody tr');
    expect(await hourRows.count()).toBeGreaterThanOrEqual(23);
    expect(await page.getByText('Hourly figures are not part of the report API').count()).toBe(0);
    for (const name of [
      'Calls offered per day',
      'Service level per day',
      'ASA per day',
      'Satisfaction per day',
    ]) {
      expect(await page.getByText(name, { exact: true }).first().isVisible()).toBe(true);
    }
    expect(await page.getByTestId('agent-table').locator('tbody tr').count()).toBeGreaterThan(0);
    const csv = page.getByRole('link', { name: 'Export CSV' });
    const res = await page.request.get(new URL((await csv.getAttribute('href')) ?? '', server.url).href);
    expect(res.status()).toBe(200);
    expect(res.headers()['content-type']).toContain('text/csv');
    await screenshot(page, 'reports', { fullPage: true });
    await page.emulateMedia({ media: 'print' });
    await screenshot(page, 'reports-print', { fullPage: true });
    await page.emulateMedia({ media: 'screen' });

    // The night shift runs past midnight: its morning hours come from the next date's report.
    await page.getByLabel('Period').selectOption('night');
    await page.waitForURL(/shift=night/);
    await expect
      .poll(async () => (await hourRows.locator('th').allTextContents()).map((t) => t.slice(-5)).join(' '))
      .toMatch(/^23:00 00:00 01:00 .* 06:00$/);
    await screenshot(page, 'reports-night', { fullPage: true });

    await page.getByRole('link', { name: 'Audit log' }).click();
    await page.waitForURL(/\/audit$/);
    await page.getByTestId('audit-table').waitFor({ timeout: 20_000 });
    expect(await page.getByTestId('audit-table').textContent()).toContain('auth.login');
    await page.getByLabel('Action').fill('auth.login');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.waitForURL(/action=auth.login/);
    await screenshot(page, 'audit');
    expect(errors).toEqual([]);
    await context.close();
  });

  it('keeps a manager out of the console', async () => {
    const context = await newContext(browser);
    const page = await context.newPage();
    await signIn(page, server, 'demo-manager');
    await page.goto(`${server.url}/console`);
    await page.waitForURL(/\/reports$/);
    await context.close();
  });
});
