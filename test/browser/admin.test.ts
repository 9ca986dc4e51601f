import { randomUUID } from 'node:crypto';
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sessionCookie } from './api.ts';
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

/** Signs the demo admin in and opens the admin page from the menu. */
async function openAdmin(): Promise<{ page: Page; errors: string[]; close: () => Promise<void> }> {
  const context = await newContext(browser);
  const page = await context.newPage();
  const errors = watchErrors(page);
  await signIn(page, server, 'demo-admin');
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Admin' }).click();
  await page.waitForURL(/\/admin$/);
  await page.getByTestId('users-table').waitFor({ timeout: 20_000 });
  return { page, errors, close: () => context.close() };
}

/** GETs an API route as the demo admin. */
async function asAdmin<T>(path: string): Promise<T> {
  const cookie = await sessionCookie(server, 'demo-admin');
  const res = await fetch(`${server.url}/api/v1${path}`, { headers: { cookie } });
  if (!res.ok) throw new Error(`GET ${path}: ${res.status}`);
  return (await res.json()) as T;
}

/** Form controls in `scope` without an accessible name from a label, aria-label or aria-labelledby. */
function unlabelled(scope: Locator): Promise<string[]> {
  return scope.locator('input, select, textarea, button').evaluateAll((els) =>
    els.flatMap((el) => {
      const named =
        (el.getAttribute('aria-label') ?? '').trim() !== '' ||
        el.hasAttribute('aria-labelledby') ||
        el.closest('label') !== null ||
        (el.id !== '' && el.ownerDocument.querySelector(`label[for="${el.id}"]`) !== null) ||
        (el.tagName === 'BUTTON' && (el.textContent ?? '').trim() !== '');
      return named ? [] : [el.outerHTML.slice(0, 120)];
    }),
  );
}

describe('users', () => {
  it('adds a lead with a team, who can then sign in, and removes them after a question', async () => {
    const { page, errors, close } = await openAdmin();
    const users = page.locator('#users');
    const name = `e2e-lead-${randomUUID().slice(0, 6)}`;

    await users.getByLabel('Name', { exact: true }).fill(name);
    await users.getByLabel('Role').selectOption('lead');
    // Without a team the server refuses, and says why beside the form.
    await users.getByRole('button', { name: 'Add user' }).click();
    await expect
      .poll(() => users.getByTestId('user-form-error').textContent())
      .toContain('a lead user needs at least one team');

    await users.getByRole('group', { name: /Teams/ }).getByRole('checkbox', { name: 'sales' }).check();
    await users.getByRole('button', { name: 'Add user' }).click();
    const password = users.getByTestId('generated-password');
    await password.waitFor();
    const secret = await password.inputValue();
    expect(secret.length).toBeGreaterThanOrEqual(12);
    expect(await users.getByText('It will not be shown again').isVisible()).toBe(true);
    const row = users.locator(`[data-testid=user-row][data-name="${name}"]`);
    await row.waitFor();
    expect(await row.locator('td').allTextContents()).toEqual(
      expect.arrayContaining(['lead', 'sales', 'demo-admin']),
    );
    expect(await unlabelled(page.locator('main'))).toEqual([]);
    expect(
      await page.evaluate(
        '(() => { const ids = [...document.querySelectorAll("[id]")].map((e) => e.id); return ids.filter((x, i) => ids.indexOf(x) !== i); })()',
      ),
      'ids used twice',
    ).toEqual([]);
    await screenshot(page, 'admin-user-added', { fullPage: true });
    await users.getByRole('button', { name: /^Done/ }).click();
    expect(await users.getByTestId('generated-password').count()).toBe(0);

    // The new lead signs in with the password shown and lands on the console, scoped to sales.
    const leadContext = await newContext(browser);
    const lead = await leadContext.newPage();
    await lead.goto(`${server.url}/login`);
    await lead.getByLabel('Username').fill(name);
    await lead.getByLabel('Password').fill(secret);
    await lead.getByRole('button', { name: 'Sign in' }).click();
    await lead.waitForURL(/\/console$/);
    const me = (await (await lead.request.get(`${server.url}/api/v1/auth/me`)).json()) as {
      principal: { role: string; teams: string[] };
    };
    expect(me.principal).toMatchObject({ role: 'lead', teams: ['sales'] });

    // Removing asks first (keyboard: Enter opens, Escape cancels), then ends the lead's session.
    const remove = row.getByRole('button', { name: `Remove user ${name}` });
    await remove.focus();
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog', { name: `Remove user ${name}?` });
    await expect.poll(() => dialog.isVisible()).toBe(true);
    await page.keyboard.press('Escape');
    await expect.poll(() => dialog.isVisible()).toBe(false);
    expect(await row.count()).toBe(1);
    await remove.click();
    await dialog.getByRole('button', { name: 'Remove user' }).click();
    await expect.poll(() => row.count()).toBe(0);
    expect((await lead.request.get(`${server.url}/api/v1/auth/me`)).status()).toBe(401);

    expect(errors).toEqual([]);
    await leadContext.close();
    await close();
  });
});

describe('tokens', () => {
  it('creates a wallboard token whose TV address opens the board, and revoking it ends its access', async () => {
    const { page, errors, close } = await openAdmin();
    const tokens = page.locator('#tokens');
    const name = `tv-e2e-${randomUUID().slice(0, 6)}`;

    await tokens.getByLabel('Role').selectOption('wallboard');
    await tokens.getByLabel('Token name (optional)').fill(name);
    await tokens.getByRole('group', { name: /Teams/ }).getByRole('checkbox', { name: 'sales' }).check();
    await tokens.getByRole('button', { name: 'Create token' }).click();
    const secret = await tokens.getByTestId('token-secret').inputValue();
    expect(secret).toMatch(/^fbt_/);
    const address = await tokens.getByTestId('tv-address').inputValue();
    expect(address).toBe(`${server.url}/wallboard?token=${secret}&teams=sales`);
    expect(await tokens.getByText('It will not be shown again').isVisible()).toBe(true);
    const row = tokens.locator(`[data-testid=token-row][data-name="${name}"]`);
    await row.waitFor();
    expect(await row.locator('td').allTextContents()).toEqual(expect.arrayContaining(['wallboard', 'sales']));
    await screenshot(page, 'admin-token-created', { fullPage: true });

    // The TV opens the address: signed in by the token, showing the sales team.
    const tvContext = await newContext(browser, 'tv');
    const tv = await tvContext.newPage();
    await tv.goto(address);
    await tv.getByTestId('queue-tile').first().waitFor({ timeout: 20_000 });
    expect(tv.url()).not.toContain('fbt_');
    expect((await tv.locator('h1').first().textContent()) ?? '').toMatch(/sales/i);

    await row.getByRole('button', { name: `Revoke token ${name}` }).click();
    await page
      .getByRole('dialog', { name: `Revoke token ${name}?` })
      .getByRole('button', { name: 'Revoke token' })
      .click();
    await expect.poll(() => row.count()).toBe(0);
    await tokens.getByText(`Token ${name} revoked`).waitFor();

    // The board is cut off at once and says so, and shows no numbers any more (only the banner);
    // the token opens nothing any more.
    await tv.getByTestId('auth-banner').waitFor({ timeout: 10_000 });
    expect(await tv.getByTestId('queue-tile').count()).toBe(0);
    expect(await tv.getByTestId('total-waiting').count()).toBe(0);
    expect(await tv.getByTestId('board-message').textContent()).toContain('Not signed in');
    expect(await tv.getByTestId('wallboard').innerText()).not.toMatch(/\d/);
    const live = await tv.request.get(`${server.url}/api/v1/live`, {
      headers: { authorization: `Bearer ${secret}` },
    });
    expect(live.status()).toBe(401);
    await screenshot(tv, 'admin-token-revoked-wallboard');

    expect(errors).toEqual([]);
    await tvContext.close();
    await close();
  });
});

describe('settings', () => {
  it('saves a queue threshold override and the wallboard tile colour follows', async () => {
    const tvContext = await newContext(browser, 'tv');
    const tv = await tvContext.newPage();
    await tv.goto(`${server.url}/wallboard?token=${server.token}`);
    const tile = tv.getByTestId('queue-tile').first();
    await tile.waitFor({ timeout: 20_000 });
    const queue = (await tile.getAttribute('data-queue')) ?? '';
    expect(queue).not.toBe('');
    const queueTile = tv.locator(`[data-testid=queue-tile][data-queue="${queue}"]`);

    const { page, errors, close } = await openAdmin();
    const thresholds = page.locator('#thresholds');
    await thresholds.getByRole('combobox', { name: 'Queue', exact: true }).fill(queue);
    await thresholds.getByRole('button', { name: 'Add overrides for this queue' }).click();
    const overrides = thresholds.locator(`[data-testid=queue-overrides][data-queue="${queue}"]`);
    await overrides.waitFor();

    // Own limits without any level for each metric a tile is coloured by: green whatever the figures
    // (the average speed of answer keeps the default, shown greyed).
    for (const metric of ['Service level', 'Abandon rate', 'Longest wait', 'Calls waiting']) {
      await overrides.getByRole('checkbox', { name: `${queue}: own limits for ${metric}` }).check();
      for (const level of ['amber', 'red', 'critical']) {
        await overrides.getByRole('textbox', { name: new RegExp(`^${queue}: ${metric} ${level} `) }).fill('');
      }
    }
    await thresholds.getByRole('button', { name: 'Save thresholds' }).click();
    await expect
      .poll(() => thresholds.getByTestId('save-status').textContent())
      .toContain('Thresholds saved');
    expect(await thresholds.getByTestId('source-tag').textContent()).toContain('Set at run time');
    // The server pushes the change to the board at once (the board's own re-read is a minute apart).
    await expect.poll(() => queueTile.getAttribute('data-level'), { timeout: 5_000 }).toBe('ok');
    const asa = overrides.getByRole('row', { name: /Average speed of answer/ });
    expect(await asa.getByRole('textbox').count()).toBe(0);
    expect((await asa.locator('td').allTextContents()).map((t) => t.trim())).toEqual([
      'default',
      '30',
      '60',
      '–',
    ]);

    // Critical at 0 calls waiting: the tile turns critical as soon as the change is pushed.
    await overrides.getByRole('textbox', { name: `${queue}: Calls waiting critical (calls)` }).fill('0');
    await thresholds.getByRole('button', { name: 'Save thresholds' }).click();
    await expect
      .poll(() => thresholds.getByTestId('save-status').textContent())
      .toContain('Thresholds saved');
    await expect.poll(() => queueTile.getAttribute('data-level'), { timeout: 5_000 }).toBe('critical');
    await screenshot(tv, 'admin-threshold-wallboard');

    const saved = await asAdmin<{ thresholds: { perQueue: Record<string, Record<string, object>> } }>(
      '/settings',
    );
    expect(saved.thresholds.perQueue[queue]?.waiting).toEqual({ critical: 0 });
    const audit = await asAdmin<{ entries: Array<{ actor: string; target: string }> }>(
      '/audit?action=config.change',
    );
    expect(audit.entries[0]).toMatchObject({ actor: 'demo-admin', target: 'thresholds' });

    // Limits in an order where a level could never show are refused before anything is sent.
    await page.getByRole('textbox', { name: 'Longest wait: red (seconds)' }).fill('30');
    await thresholds.getByRole('button', { name: 'Save thresholds' }).click();
    await expect.poll(() => thresholds.getByTestId('save-status').textContent()).toContain('Not saved');
    expect(await thresholds.getByText('red must be at or above amber').isVisible()).toBe(true);
    await thresholds.getByRole('button', { name: 'Discard changes' }).click();

    await screenshot(page, 'admin-settings', { fullPage: true });
    expect(errors).toEqual([]);
    await close();
    await tvContext.close();
  });

  it("shows the server's refusal of an SLA policy beside the field it names", async () => {
    const { page, errors, close } = await openAdmin();
    const sla = page.locator('#sla');
    const vip = sla.getByRole('textbox', { name: 'Accept, VIP (minutes)' });
    expect(await vip.inputValue()).toBe('15');
    await vip.fill('0');
    await sla.getByRole('button', { name: 'Save SLA policy' }).click();
    await expect
      .poll(() => sla.getByTestId('save-status').textContent())
      .toMatch(/The server refused the change: invalid settings: sla\.acceptMinutes\.vip: /);
    expect(await vip.getAttribute('aria-invalid')).toBe('true');
    expect(await asAdmin<{ sla: { acceptMinutes: { vip: number } } }>('/settings')).toMatchObject({
      sla: { acceptMinutes: { vip: 15 } },
    });

    await vip.fill('10');
    await sla.getByRole('button', { name: 'Save SLA policy' }).click();
    await expect.poll(() => sla.getByTestId('save-status').textContent()).toContain('SLA policy saved');
    expect(await vip.getAttribute('aria-invalid')).toBe('false');
    expect(await asAdmin<{ sla: { acceptMinutes: { vip: number } } }>('/settings')).toMatchObject({
      sla: { acceptMinutes: { vip: 10 } },
    });
    expect(errors).toEqual([]);
    await close();
  });
});

describe('access', () => {
  it('keeps non-admins off the admin page and refuses a forged admin request from a manager session', async () => {
    for (const [user, home] of [
      ['demo-manager', /\/reports$/],
      ['demo-supervisor', /\/console$/],
      ['demo-wallboard', /\/wallboard$/],
    ] as const) {
      const context = await newContext(browser);
      const page = await context.newPage();
      await signIn(page, server, user);
      expect(await page.getByRole('link', { name: 'Admin' }).count()).toBe(0);
      await page.goto(`${server.url}/admin`);
      await page.waitForURL(home);
      if (user !== 'demo-manager') {
        await context.close();
        continue;
      }
      // From the manager's own page (same origin, so only the role can refuse it).
      const name = `forged-${randomUUID().slice(0, 6)}`;
      const answers = await page.evaluate(async (n) => {
        const send = async (method: string, path: string, body?: object) => {
          const res = await fetch(`/api/v1${path}`, {
            method,
            headers: { 'content-type': 'application/json' },
            body: body === undefined ? undefined : JSON.stringify(body),
          });
          return { status: res.status, body: (await res.json()) as { error?: string } };
        };
        return [
          await send('POST', '/admin/users', { name: n, role: 'admin', password: 'a-long-enough-password' }),
          await send('POST', '/admin/tokens', { role: 'wallboard', name: n }),
          await send('DELETE', '/admin/tokens/demo-wallboard'),
          await send('PUT', '/settings', { teams: { consultation: n, technical: n, complaint: n } }),
          await send('GET', '/admin/users'),
        ];
      }, name);
      for (const a of answers)
        expect(a).toEqual({ status: 403, body: { error: 'role manager may not admin:manage' } });
      const users = await asAdmin<{ users: Array<{ name: string }> }>('/admin/users');
      expect(users.users.map((u) => u.name)).not.toContain(name);
      const tokens = await asAdmin<{ tokens: Array<{ name: string }> }>('/admin/tokens');
      expect(tokens.tokens.map((t) => t.name)).not.toContain(name);
      await context.close();
    }
  });
});
