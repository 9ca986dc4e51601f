/**
 * The live push hub over real Socket.IO servers: a runtime fed by Kafka (real Redis state), clients
 * receiving a snapshot and then deltas that rebuild the Redis state, a skipped delta healed by a
 * fresh snapshot, authentication and permissions, team scoping, and two instances joined by the
 * Socket.IO Redis adapter.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server } from 'socket.io';
import { io as connect, type Socket as ClientSocket } from 'socket.io-client';
import { afterEach, describe, expect, inject, it } from 'vitest';
import type { Config } from '../../config/schema.ts';
import { systemClock } from '../../server/clock.ts';
import type { LiveSnapshot } from '../../server/contract/api.ts';
import type { Principal } from '../../server/contract/auth.ts';
import type {
  AcknowledgeRequest,
  ReassignRequest,
  ReassignResponse,
} from '../../server/contract/commands.ts';
import type { CcEvent } from '../../server/contract/events.ts';
import type {
  AlertEvent,
  ClientToServerEvents,
  DeltaEvent,
  ReassignedEvent,
  ServerToClientEvents,
  SnapshotEvent,
} from '../../server/contract/realtime.ts';
import { createLogger } from '../../server/log.ts';
import { LiveFeed, isErrorAck, type FeedSocket } from '../../server/realtime/client.ts';
import { createRealtimeHub, type HubCommands, type RealtimeHub } from '../../server/realtime/hub.ts';
import { applyDelta, filterSnapshot, isEmptyDelta } from '../../server/realtime/views.ts';
import { startRuntime, type Runtime } from '../../server/runtime.ts';
import { ev } from '../support/events.ts';
import { testConfig } from '../support/harness.ts';
import { isolatedConfig, produceEvents, simulatedEvents, waitUntil } from '../support/kafka.ts';
import { uniqueName } from '../support/services.ts';

type Client = ClientSocket<ServerToClientEvents, ClientToServerEvents>;

const log = createLogger('silent');
const QUEUE_TEAMS = testConfig().queueTeams;

const PRINCIPALS: Record<string, Principal> = {
  tv: { kind: 'token', name: 'tv', role: 'wallboard', teams: [] },
  'tv-sales': { kind: 'token', name: 'tv-sales', role: 'wallboard', teams: ['sales'] },
  'lead-sales': { kind: 'user', name: 'leo', role: 'lead', teams: ['sales'] },
  sup: { kind: 'user', name: 'tim', role: 'supervisor', teams: [] },
  'sup-sales': { kind: 'user', name: 'sam', role: 'supervisor', teams: ['sales'] },
  'sup-tech': { kind: 'user', name: 'tess', role: 'supervisor', teams: ['tech-support'] },
};
/** Tokens the tests revoked: their re-checks fail from then on. */
const revoked = new Set<string>();
/** The injected `authenticate`: maps `auth.token` to a principal, re-checked against `revoked`. */
const authenticate = async (_headers: unknown, auth: Record<string, unknown>) => {
  const token = typeof auth.token === 'string' ? auth.token : '';
  const principal = PRINCIPALS[token];
  if (!principal || revoked.has(token)) return null;
  return {
    principal,
    rooms: [`access:token:${token}`],
    recheck: async () => (revoked.has(token) ? null : principal),
  };
};

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c().catch(() => undefined);
  revoked.clear();
});

interface CommandLog {
  reassign: Array<{ p: Principal; r: ReassignRequest }>;
  acknowledge: Array<{ p: Principal; r: AcknowledgeRequest }>;
}

type StubCommands = HubCommands & { calls: CommandLog; hub: RealtimeHub | null };

/** Commands that succeed, and tell clients through the hub like the real reassign command does. */
function stubCommands(): StubCommands {
  const calls: CommandLog = { reassign: [], acknowledge: [] };
  const stub: StubCommands = {
    calls,
    hub: null,
    async reassign(p, r) {
      calls.reassign.push({ p, r });
      if (r.agentId === 'nobody') throw Object.assign(new Error('no agent nobody'), { status: 404 });
      const res: ReassignResponse = {
        results: r.items.map((i) => ({
          ticketId: i.ticketId,
          status: 'ok' as const,
          ticket: {
            ticketId: i.ticketId,
            version: i.expectedVersion + 1,
            agentId: r.agentId,
            status: 'open' as const,
            team: 'sales',
            kind: 'consultation' as const,
            tier: 'normal' as const,
            priority: 'medium' as const,
            subject: 'Contract',
          },
        })),
      };
      stub.hub?.notifyReassigned(p.name, r.agentId, res.results);
      return res;
    },
    async acknowledge(p, r) {
      calls.acknowledge.push({ p, r });
    },
  };
  return stub;
}

interface HubOptions {
  readLive: () => Promise<LiveSnapshot>;
  commands?: StubCommands;
  redisUrl?: string;
  channelPrefix?: string;
  refreshMs?: number;
  recheckMs?: number;
}

/** A real HTTP server on port 0 with Socket.IO and the hub. */
async function startHub(o: HubOptions): Promise<{ hub: RealtimeHub; url: string }> {
  const server = createServer();
  const io = new Server<ClientToServerEvents, ServerToClientEvents>(server, { serveClient: false });
  const commands = o.commands ?? stubCommands();
  const hub = await createRealtimeHub({
    io,
    readLive: o.readLive,
    clock: systemClock,
    log,
    queueTeams: QUEUE_TEAMS,
    authenticate,
    commands,
    flushMs: 100,
    ...(o.refreshMs === undefined ? {} : { refreshMs: o.refreshMs }),
    ...(o.recheckMs === undefined ? {} : { recheckMs: o.recheckMs }),
    ...(o.redisUrl === undefined ? {} : { redisUrl: o.redisUrl, channelPrefix: o.channelPrefix }),
  });
  commands.hub = hub;
  cleanups.push(() => hub.stop());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { hub, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

function client(url: string, token?: string): Client {
  const socket: Client = connect(url, {
    auth: token === undefined ? {} : { token },
    transports: ['websocket'],
    reconnection: false,
    forceNew: true,
  });
  cleanups.push(async () => void socket.disconnect());
  return socket;
}

async function connected(socket: Client): Promise<void> {
  if (socket.connected) return;
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('connect_error', reject);
  });
}

/** A raw subscriber that records its snapshot and every delta, to replay them by hand. */
async function recorder(url: string, token: string) {
  const socket = client(url, token);
  const deltas: DeltaEvent[] = [];
  socket.on('delta', (d) => deltas.push(d));
  await connected(socket);
  const ack = await socket.emitWithAck('subscribe', {});
  if (isErrorAck(ack)) throw new Error(`subscribe refused: ${ack.message}`);
  const snapshot: SnapshotEvent = ack;
  return {
    socket,
    deltas,
    snapshot,
    /** The snapshot with every delta applied in order; fails on a sequence gap. */
    replay(): LiveSnapshot {
      let seq = snapshot.seq;
      let data = snapshot.data;
      for (const d of deltas) {
        expect(d.prevSeq, 'deltas arrive without gaps').toBe(seq);
        data = applyDelta(data, d);
        seq = d.seq;
      }
      return data;
    },
  };
}

/** The fields of a snapshot that do not change with time alone. */
function timeless(s: LiveSnapshot) {
  const tickets = [...s.tickets.overdue, ...s.tickets.atRisk].sort((a, b) =>
    a.ticketId.localeCompare(b.ticketId),
  );
  return {
    timezone: s.timezone,
    shift: s.shift,
    queues: s.queues,
    agents: s.agents.map(({ overdueTickets: _o, ...a }) => a),
    open: s.tickets.open,
    tickets,
    satisfaction: s.satisfaction.shift,
  };
}

const uniqueCount = (events: CcEvent[]) => new Set(events.map((e) => e.id)).size;

/** A runtime fed by Kafka whose applied batches mark the hub dirty, and the hub on it. */
async function kafkaHub(label: string) {
  const config: Config = isolatedConfig(label);
  let hub: RealtimeHub | null = null;
  const runtime: Runtime = await startRuntime({
    config,
    clock: systemClock,
    log,
    onApplied: () => hub?.markDirty(),
  });
  cleanups.push(() => runtime.stop());
  let produced = 0;
  const produce = async (events: CcEvent[]) => {
    produced += uniqueCount(events);
    await produceEvents(config, events);
    await waitUntil('every event applied', async () => (await runtime.health()).eventsProcessed === produced);
  };
  await produce(simulatedEvents(config, 1, 31));
  const started = await startHub({ readLive: runtime.live });
  hub = started.hub;
  return { config, runtime, url: started.url, hub: started.hub, produce };
}

/** A burst of changes to the simulated floor: agents changing state, calls, tickets. */
function burst(): CcEvent[] {
  const t = (sAgo: number) => new Date(Date.now() - sAgo * 1000).toISOString();
  const events: CcEvent[] = [];
  for (let i = 1; i <= 12; i++) {
    const agentId = `a-${String(i).padStart(3, '0')}`;
    events.push(ev.agent({ agentId, state: i % 2 ? 'break' : 'available', reason: 'burst', ts: t(5) }));
  }
  const run = uniqueName('burst');
  for (let i = 0; i < 20; i++) {
    const callId = `${run}-c${i}`;
    events.push(ev.queued({ callId, queue: i % 2 ? 'sales' : 'support', ts: t(30 - i) }));
    if (i % 3 === 0)
      events.push(
        ev.answered({ callId, queue: i % 2 ? 'sales' : 'support', agentId: 'a-002', ts: t(20 - i / 2) }),
      );
  }
  events.push(ev.ticket({ ticketId: `${run}-t1`, kind: 'technical', tier: 'vip', ts: t(60 * 20) }));
  return events;
}

describe('the live push hub over Kafka-fed Redis state', () => {
  it('sends a snapshot, then deltas that, applied in order, equal the live state after a burst', async () => {
    const { runtime, url, produce } = await kafkaHub('rt-deltas');
    const all = await recorder(url, 'tv');
    const sales = await recorder(url, 'tv-sales');
    expect(all.snapshot.data.agents.length).toBeGreaterThan(0);
    expect(timeless(all.snapshot.data)).toEqual(timeless(await runtime.live()));

    await produce(burst());
    await waitUntil('the replayed deltas equal the live state', async () => {
      const live = await runtime.live();
      const view = { teams: ['sales'], queues: [] };
      return (
        JSON.stringify(timeless(all.replay())) === JSON.stringify(timeless(live)) &&
        JSON.stringify(timeless(sales.replay())) ===
          JSON.stringify(timeless(filterSnapshot(live, view, QUEUE_TEAMS)))
      );
    });
    expect(all.deltas.filter((d) => !isEmptyDelta(d)).length).toBeGreaterThan(0);

    // The sales-scoped principal only ever received sales agents and tickets.
    expect(sales.snapshot.view).toEqual({ teams: ['sales'], queues: [] });
    const salesAgents = [
      ...sales.snapshot.data.agents,
      ...sales.deltas.flatMap((d) => d.changes.agents?.upsert ?? []),
    ];
    expect(salesAgents.length).toBeGreaterThan(0);
    expect(new Set(salesAgents.map((a) => a.team))).toEqual(new Set(['sales']));
    const salesTickets = [
      ...sales.snapshot.data.tickets.overdue,
      ...sales.snapshot.data.tickets.atRisk,
      ...sales.deltas.flatMap((d) => [
        ...(d.changes.overdue?.upsert ?? []),
        ...(d.changes.atRisk?.upsert ?? []),
      ]),
    ];
    expect(salesTickets.every((t) => t.team === 'sales')).toBe(true);
    expect(new Set(sales.replay().queues.map((q) => q.queue))).toEqual(new Set(['sales', 'billing']));
  });

  it('asks for a fresh snapshot when a delta was missed, and ends equal to the live state', async () => {
    const { runtime, url, produce } = await kafkaHub('rt-gap');
    const socket = client(url, 'tv');
    // The client skips the first delta with changes, as if it had been lost.
    let dropped: DeltaEvent | null = null;
    const on = socket.on.bind(socket) as (event: string, fn: (...args: unknown[]) => void) => Client;
    const skipping = (event: string, fn: (...args: unknown[]) => void): Client => {
      if (event !== 'delta') return on(event, fn);
      return on(event, (...args: unknown[]) => {
        const d = args[0] as DeltaEvent;
        if (dropped === null && !isEmptyDelta(d)) dropped = d;
        else fn(...args);
      });
    };
    socket.on = skipping as Client['on'];
    const feed = new LiveFeed(socket as FeedSocket);
    cleanups.push(async () => feed.close());
    await waitUntil('the first snapshot', async () => feed.status === 'live');
    expect(feed.counts).toMatchObject({ snapshots: 1, resyncs: 0 });

    await produce(burst());
    await waitUntil('the feed resynced to the live state', async () => {
      const snap = feed.snapshot;
      return (
        dropped !== null &&
        feed.counts.resyncs > 0 &&
        snap !== null &&
        JSON.stringify(timeless(snap)) === JSON.stringify(timeless(await runtime.live()))
      );
    });
    expect(feed.counts.snapshots).toBeGreaterThanOrEqual(2);
    expect(feed.status).toBe('live');
    expect(feed.stale()).toBe(false);
  });
});

/** A floor the tests change by hand: the "shared Redis state" of stubbed instances. */
function handFloor() {
  const agent = (agentId: string, team: string, state: 'available' | 'break' = 'available') => ({
    agentId,
    name: agentId,
    team,
    state,
    since: 1_000,
    reason: null,
    activeCallId: null,
    openTickets: { high: 0, medium: 1, low: 0 },
    overdueTickets: 0,
    handled: 0,
    talkSeconds: 0,
    wrapSeconds: 0,
  });
  const sat = {
    count: 0,
    mean: { speed: null, resolution: null, professionalism: null, recommend: null },
    overall: null,
    lowCount: 0,
  };
  let snap: LiveSnapshot = {
    serverTime: Date.now(),
    timezone: 'Europe/Berlin',
    shift: null,
    queues: [],
    agents: [agent('s-1', 'sales'), agent('t-1', 'tech-support')],
    tickets: { open: 2, overdueCount: 0, atRiskCount: 0, overdue: [], atRisk: [], byTeam: [] },
    satisfaction: { rolling60m: sat, shift: sat, trend: [] },
  };
  let failing = false;
  return {
    agent,
    readLive: async () => {
      if (failing) throw new Error('Redis is down');
      return { ...snap, serverTime: Date.now() };
    },
    change(f: (s: LiveSnapshot) => LiveSnapshot) {
      snap = f(snap);
    },
    fail(on: boolean) {
      failing = on;
    },
  };
}

describe('the live push hub: access', () => {
  it('refuses a socket without valid credentials and sends it nothing', async () => {
    const { hub, url } = await startHub({ readLive: handFloor().readLive });
    for (const token of [undefined, 'not-a-token']) {
      const socket = client(url, token);
      const received: string[] = [];
      socket.onAny((event: string) => received.push(event));
      const err = await new Promise<Error>((resolve) => socket.once('connect_error', resolve));
      expect(err.message).toBe('unauthorized');
      expect(socket.connected).toBe(false);
      await new Promise((r) => setTimeout(r, 300));
      expect(received).toEqual([]);
    }
    expect(hub.stats().sockets).toBe(0);
  });

  it('checks permissions and validates every command, answering errors without failing', async () => {
    const commands = stubCommands();
    const { url } = await startHub({ readLive: handFloor().readLive, commands });
    const tv = client(url, 'tv');
    const lead = client(url, 'lead-sales');
    const sup = client(url, 'sup');
    await Promise.all([tv, lead, sup].map(connected));
    const request: ReassignRequest = {
      agentId: 's-1',
      reason: 'balance',
      items: [{ ticketId: 'k1', expectedVersion: 2 }],
    };

    expect(await tv.emitWithAck('reassign', request)).toMatchObject({ error: 'forbidden' });
    expect(commands.calls.reassign).toEqual([]);

    const notices: ReassignedEvent[] = [];
    sup.on('reassigned', (e) => notices.push(e));
    const res = await lead.emitWithAck('reassign', request);
    expect(res).toMatchObject({ results: [{ ticketId: 'k1', status: 'ok' }] });
    expect(commands.calls.reassign).toEqual([{ p: PRINCIPALS['lead-sales'], r: request }]);
    await waitUntil('the reassigned notice', async () => notices.length === 1, 5000);
    expect(notices[0]).toMatchObject({
      by: 'leo',
      agentId: 's-1',
      team: 'sales',
      tickets: [{ ticketId: 'k1', version: 3 }],
    });

    expect(await lead.emitWithAck('reassign', { ...request, agentId: 'nobody' })).toMatchObject({
      error: 'not_found',
    });
    expect(await lead.emitWithAck('reassign', { ...request, items: [] })).toMatchObject({
      error: 'bad_request',
    });
    const raw = lead as unknown as { emitWithAck(ev: string, ...args: unknown[]): Promise<unknown> };
    expect(await raw.emitWithAck('reassign', 'garbage')).toMatchObject({ error: 'bad_request' });
    expect(await raw.emitWithAck('subscribe', { teams: 5 })).toMatchObject({ error: 'bad_request' });
    expect(await raw.emitWithAck('resync')).toMatchObject({ error: 'not_subscribed' });

    const ack: AcknowledgeRequest = { ticketId: 'k1', deadline: 'accept' };
    expect(await tv.emitWithAck('acknowledge', ack)).toMatchObject({ error: 'forbidden' });
    expect(await lead.emitWithAck('acknowledge', ack)).toMatchObject({ error: 'forbidden' });
    expect(await sup.emitWithAck('acknowledge', { ...ack, deadline: 'soon' as 'accept' })).toMatchObject({
      error: 'bad_request',
    });
    expect(await sup.emitWithAck('acknowledge', ack)).toEqual({ ok: true });
    expect(commands.calls.acknowledge).toEqual([{ p: PRINCIPALS.sup, r: ack }]);

    // Still serving after all that.
    expect(await lead.emitWithAck('subscribe', {})).toMatchObject({ seq: 0, view: { teams: ['sales'] } });
  });

  it('re-checks credentials before every event: a revoked token gets unauthorized and is disconnected', async () => {
    const commands = stubCommands();
    const { url } = await startHub({ readLive: handFloor().readLive, commands });
    const lead = client(url, 'lead-sales');
    await connected(lead);
    const request: ReassignRequest = {
      agentId: 's-1',
      reason: 'balance',
      items: [{ ticketId: 'k1', expectedVersion: 2 }],
    };
    expect(await lead.emitWithAck('reassign', request)).toMatchObject({ results: [{ status: 'ok' }] });
    revoked.add('lead-sales');
    const gone = new Promise<string>((resolve) => lead.once('disconnect', resolve));
    expect(await lead.emitWithAck('reassign', request)).toMatchObject({ error: 'unauthorized' });
    expect(await gone).toBe('io server disconnect');
    expect(commands.calls.reassign).toHaveLength(1);
  });

  it('disconnects a socket whose credentials lapse at the periodic re-check, and keeps the others', async () => {
    const { hub, url } = await startHub({ readLive: handFloor().readLive, recheckMs: 200 });
    const tv = client(url, 'tv');
    const sup = client(url, 'sup');
    await Promise.all([tv, sup].map(connected));
    expect(await tv.emitWithAck('subscribe', {})).toMatchObject({ seq: 0 });
    const gone = new Promise<string>((resolve) => tv.once('disconnect', resolve));
    revoked.add('tv');
    expect(await gone).toBe('io server disconnect');
    await new Promise((r) => setTimeout(r, 500));
    expect(sup.connected).toBe(true);
    expect(hub.stats().sockets).toBe(1);
  });

  it('keeps a team-scoped principal to its teams', async () => {
    const floor = handFloor();
    const { hub, url } = await startHub({ readLive: floor.readLive });
    const socket = client(url, 'tv-sales');
    await connected(socket);
    expect(await socket.emitWithAck('subscribe', { teams: ['tech-support'] })).toMatchObject({
      error: 'forbidden',
    });
    expect(await socket.emitWithAck('subscribe', { queues: ['support'] })).toMatchObject({
      error: 'forbidden',
    });
    const deltas: DeltaEvent[] = [];
    socket.on('delta', (d) => deltas.push(d));
    const ack = await socket.emitWithAck('subscribe', {});
    if (isErrorAck(ack)) throw new Error(ack.message);
    expect(ack.data.agents.map((a) => a.agentId)).toEqual(['s-1']);

    floor.change((s) => ({
      ...s,
      agents: [floor.agent('s-1', 'sales', 'break'), floor.agent('t-1', 'tech-support', 'break')],
    }));
    hub.markDirty();
    await waitUntil('a delta', async () => deltas.some((d) => !isEmptyDelta(d)), 5000);
    const changed = deltas.filter((d) => !isEmptyDelta(d));
    expect(changed.flatMap((d) => d.changes.agents?.upsert ?? []).map((a) => a.agentId)).toEqual(['s-1']);
  });

  it('sends heartbeats while quiet, and none while the live state cannot be read', async () => {
    const floor = handFloor();
    const { hub, url } = await startHub({ readLive: floor.readLive });
    const socket = client(url, 'tv');
    const feed = new LiveFeed(socket);
    cleanups.push(async () => feed.close());
    await waitUntil('two heartbeats', async () => feed.counts.heartbeats >= 2, 5000);
    expect(feed.stale(Date.now(), 2000)).toBe(false);
    expect(feed.seq).toBe(0); // heartbeats keep the sequence number

    floor.fail(true);
    hub.markDirty();
    await waitUntil('the feed going stale', async () => feed.stale(Date.now(), 2000), 6000);
    expect(hub.stats().healthy).toBe(false);

    floor.fail(false);
    await waitUntil('fresh again', async () => !feed.stale(Date.now(), 2000), 5000);
    expect(feed.counts.resyncs).toBe(0);
  });
});

describe('the live push hub on two instances (Socket.IO Redis adapter)', () => {
  it('carries markDirty to the other instance and alerts to supervisors on both, once', async () => {
    const floor = handFloor();
    const redisUrl = inject('redisUrl');
    const channelPrefix = uniqueName('rt-cluster');
    // No periodic re-reads: instance B only learns of the change through A's announcement.
    const common = { readLive: floor.readLive, redisUrl, channelPrefix, refreshMs: 600_000 };
    const a = await startHub(common);
    const b = await startHub(common);

    const onB = await recorder(b.url, 'tv');
    await waitUntil('a heartbeat on B', async () => onB.deltas.length > 0, 5000);
    floor.change((s) => ({ ...s, agents: [...s.agents, floor.agent('s-2', 'sales')] }));
    await new Promise((r) => setTimeout(r, 1500));
    expect(
      onB.deltas.filter((d) => !isEmptyDelta(d)),
      'B does not re-read by itself',
    ).toEqual([]);

    a.hub.markDirty();
    await waitUntil('the change on B', async () => onB.deltas.some((d) => !isEmptyDelta(d)), 5000);
    expect(onB.replay().agents.map((x) => x.agentId)).toEqual(['s-1', 't-1', 's-2']);

    const sockets = {
      supOnA: client(a.url, 'sup'),
      tvOnA: client(a.url, 'tv'),
      techOnA: client(a.url, 'sup-tech'),
      salesOnB: client(b.url, 'sup-sales'),
      supOnB: client(b.url, 'sup'),
    };
    const got: Record<string, AlertEvent[]> = {};
    for (const [name, s] of Object.entries(sockets)) {
      got[name] = [];
      s.on('alert', (e) => got[name]?.push(e));
    }
    await Promise.all(Object.values(sockets).map(connected));
    const alert: AlertEvent = {
      ticketId: 'k9',
      deadline: 'accept',
      due: Date.now() - 60_000,
      team: 'sales',
      subject: 'Contract',
      tier: 'vip',
    };
    a.hub.pushAlert(alert);
    await waitUntil(
      'the alert on both instances',
      async () => got.supOnA?.length === 1 && got.salesOnB?.length === 1 && got.supOnB?.length === 1,
      5000,
    );
    await new Promise((r) => setTimeout(r, 500));
    expect(got).toEqual({ supOnA: [alert], tvOnA: [], techOnA: [], salesOnB: [alert], supOnB: [alert] });

    // Ending a subject's access on A disconnects its sockets on both instances, and only those.
    const tvOnB = client(b.url, 'tv');
    await connected(tvOnB);
    const cut = [sockets.tvOnA, tvOnB].map((s) => new Promise<string>((r) => s.once('disconnect', r)));
    a.hub.cutAccess('access:token:tv');
    expect(await Promise.all(cut)).toEqual(['io server disconnect', 'io server disconnect']);
    await new Promise((r) => setTimeout(r, 300));
    expect([sockets.supOnA, sockets.supOnB, sockets.salesOnB].every((s) => s.connected)).toBe(true);
  });
});
