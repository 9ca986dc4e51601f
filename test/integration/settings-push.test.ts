/**
 * Settings pushed to live clients: two instances on one Redis (Socket.IO's Redis adapter between
 * them); an admin changes the wallboard thresholds through one, and a wallboard socket on the other
 * gets the new thresholds as a `settings` event at once — its instance's periodic re-read is an hour
 * away, so only the announcement can have carried the change there.
 */
import { io as connect } from 'socket.io-client';
import { afterAll, describe, expect, it } from 'vitest';
import { SYSTEM_ACTOR } from '../../server/auth/records.ts';
import { systemClock } from '../../server/clock.ts';
import type { SettingsEvent } from '../../server/contract/realtime.ts';
import type { ThresholdsResponse } from '../../server/contract/ui.ts';
import { startFloorboard, type Floorboard } from '../../server/floorboard.ts';
import { createLogger } from '../../server/log.ts';
import type { FeedSocket } from '../../server/realtime/client.ts';
import { isolatedConfig, waitUntil } from '../support/kafka.ts';

const cleanup: Array<() => Promise<void> | void> = [];
afterAll(async () => {
  for (const c of cleanup.reverse()) await c();
});

describe('settings push', () => {
  it('brings an admin’s threshold change to wallboard sockets on both instances at once', async () => {
    const config = { ...isolatedConfig('settings-push'), port: 0 };
    const start = async () => {
      const fb = await startFloorboard({
        config,
        clock: systemClock,
        log: createLogger('silent'),
        serveWeb: false,
        settingsRefreshMs: 3_600_000,
      });
      cleanup.push(() => fb.stop());
      return fb;
    };
    const [a, b] = [await start(), await start()];
    const tv = (await a.access.tokens.create({ role: 'wallboard', name: 'tv-settings' }, SYSTEM_ACTOR)).token;
    const admin = (await a.access.tokens.create({ role: 'admin', name: 'admin-settings' }, SYSTEM_ACTOR))
      .token;
    const metrics = (await a.access.tokens.create({ role: 'metrics', name: 'prom-settings' }, SYSTEM_ACTOR))
      .token;

    const received: Record<string, SettingsEvent[]> = { onA: [], onB: [], metricsOnB: [] };
    const listen = (fb: Floorboard, token: string, into: SettingsEvent[]) => {
      const socket: FeedSocket = connect(fb.url, { auth: { token }, transports: ['websocket'] });
      socket.on('settings', (e) => into.push(e));
      cleanup.push(() => void socket.disconnect());
      return socket;
    };
    const sockets = [
      listen(a, tv, received.onA ?? []),
      listen(b, tv, received.onB ?? []),
      listen(b, metrics, received.metricsOnB ?? []),
    ];
    await waitUntil('the sockets connected', async () => sockets.every((s) => s.connected));

    // On connecting, a board gets the thresholds in force (what GET /settings/thresholds answers).
    await waitUntil(
      'the settings on connecting',
      async () => received.onA?.length === 1 && received.onB?.length === 1,
    );
    const before = (await (
      await fetch(`${b.url}/api/v1/settings/thresholds`, { headers: { authorization: `Bearer ${tv}` } })
    ).json()) as ThresholdsResponse;
    expect(received.onB?.[0]?.thresholds).toEqual(before);

    const thresholds: ThresholdsResponse = {
      ...before,
      waiting: { amber: 2, red: 4, critical: 9 },
      perQueue: { sales: { waiting: { critical: 0 } } },
    };
    const res = await fetch(`${a.url}/api/v1/settings`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
      body: JSON.stringify({ thresholds }),
    });
    expect(res.status).toBe(200);
    const changedAt = Date.now();
    await waitUntil(
      'the change on both instances',
      async () => received.onA?.length === 2 && received.onB?.length === 2,
      5000,
    );
    expect(Date.now() - changedAt).toBeLessThan(1000);
    expect(received.onA?.[1]?.thresholds).toEqual(thresholds);
    expect(received.onB?.[1]?.thresholds).toEqual(thresholds);
    // Instance B has the new settings in force too (its REST answers agree with its push).
    const after = await fetch(`${b.url}/api/v1/settings/thresholds`, {
      headers: { authorization: `Bearer ${tv}` },
    });
    expect(await after.json()).toEqual(thresholds);

    // Saving the same settings again changes nothing in force: nothing more is pushed.
    const again = await fetch(`${a.url}/api/v1/settings`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
      body: JSON.stringify({ thresholds }),
    });
    expect(again.status).toBe(200);
    await new Promise((r) => setTimeout(r, 500));
    expect([received.onA?.length, received.onB?.length]).toEqual([2, 2]);
    // A socket that may not view the floor (a metrics token) gets no settings.
    expect(received.metricsOnB).toEqual([]);
  }, 60_000);
});
