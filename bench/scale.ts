/**
 * Scale: Redis memory and the live snapshot at 10,000 agents and 100,000 open tickets. The floor is
 * loaded through the real projection path (`applyBatch` via the test harness, Redis store) in large
 * batches: agents with states, open tickets (most assigned, some with progress), and a shift's worth
 * of calls and surveys so every agent and queue has counters. Then the snapshot is read as the push
 * hub reads it, by one LiveReader kept for the run: after each batch of `changes` events (what a
 * 100–250 ms flush sees at a few thousand events/s) the read is timed, with the rest of a flush
 * (narrowing to a view, diffing against the previous one) and the JSON sizes. A cold read (a fresh
 * reader, as after a start or a reconnect) is timed too.
 */
import { gzipSync } from 'node:zlib';
import type { Config } from '../config/schema.ts';
import type { LiveSnapshot } from '../server/contract/api.ts';
import type { CcEvent, TicketKind } from '../server/contract/events.ts';
import { AGENT_STATES, TICKET_PRIORITIES, TIERS } from '../server/contract/events.ts';
import { createLiveReader, readLive } from '../server/read/live.ts';
import { diffSnapshots, filterSnapshot } from '../server/realtime/views.ts';
import { createRedisStore } from '../server/store/redis-store.ts';
import { createHarness } from '../test/support/harness.ts';
import { createRng } from '../streams/simulator.ts';
import { benchConfig, redisMemoryByKind, redisUsedMemory, startInfra } from './lib/infra.ts';
import { loadAverage } from './lib/machine.ts';
import { profiled } from './lib/profile.ts';
import { redisCpuSeconds } from './lib/proc.ts';
import type { BenchResult } from './lib/report.ts';
import { median, percentile, round } from './lib/stats.ts';

export interface ScaleOptions {
  agents?: number;
  tickets?: number;
  /** Calls handled this shift (default 20,000), and waiting now (default 200). */
  calls?: number;
  waiting?: number;
  /** Reads after a batch of changes to take the median of (default 15). */
  reads?: number;
  /** Events applied before each of those reads (default 200). */
  changes?: number;
  /** Cold reads (a fresh reader each) to take the median of (default 3). */
  coldReads?: number;
  /** Events per applyBatch (default 5,000). */
  batch?: number;
}

const MINUTE = 60_000;
const TARGET_MS = 50;
const QUEUES = ['sales', 'support', 'billing', 'complaints'];
const KINDS: TicketKind[] = ['consultation', 'technical', 'complaint'];

const iso = (ms: number) => new Date(ms).toISOString();

/** The events that build the floor, in the order they are applied. */
export function floorEvents(
  config: Config,
  now: number,
  shiftStart: number,
  o: Required<ScaleOptions>,
): CcEvent[] {
  const rng = createRng(42);
  const teams = Object.values(config.teams);
  const agentId = (i: number) => `agent-${String(i).padStart(5, '0')}`;
  const events: CcEvent[] = [];
  let seq = 0;
  const id = () => `scale-${++seq}`;
  const since = Math.max(shiftStart, now - 4 * 60 * MINUTE);
  const between = (a: number, b: number) => Math.floor(a + rng.next() * (b - a));

  for (let i = 0; i < o.agents; i++) {
    events.push({
      id: id(),
      type: 'agent.state',
      ts: iso(between(since - 30 * MINUTE, since)),
      agentId: agentId(i),
      name: `Agent ${i}`,
      team: teams[i % teams.length],
      state: 'available',
    });
  }
  // A shift's calls: queued, answered by an agent, ended; and surveys on some of them.
  for (let c = 0; c < o.calls; c++) {
    const queuedAt = between(since, now - 10 * MINUTE);
    const callId = `call-${c}`;
    const queue = rng.pick(QUEUES);
    const agent = agentId(Math.floor(rng.next() * o.agents));
    const answeredAt = queuedAt + between(1000, 60_000);
    events.push(
      { id: id(), type: 'call.queued', ts: iso(queuedAt), callId, queue },
      { id: id(), type: 'call.answered', ts: iso(answeredAt), callId, queue, agentId: agent },
      {
        id: id(),
        type: 'call.ended',
        ts: iso(answeredAt + between(30_000, 600_000)),
        callId,
        queue,
        agentId: agent,
      },
    );
    if (c % 10 === 0) {
      const s = () => 1 + Math.floor(rng.next() * 5);
      events.push({
        id: id(),
        type: 'survey.submitted',
        ts: iso(Math.min(now, answeredAt + 15 * MINUTE)),
        surveyId: `survey-${c}`,
        callId,
        agentId: agent,
        scores: { speed: s(), resolution: s(), professionalism: s(), recommend: s() },
      });
    }
  }
  for (let w = 0; w < o.waiting; w++) {
    events.push({
      id: id(),
      type: 'call.queued',
      ts: iso(between(now - 5 * MINUTE, now)),
      callId: `waiting-${w}`,
      queue: rng.pick(QUEUES),
    });
  }
  // Open tickets over the last day: 85 % assigned, half of those with recent progress.
  for (let t = 0; t < o.tickets; t++) {
    const createdAt = between(now - 24 * 60 * MINUTE, now - MINUTE);
    const ticketId = `ticket-${t}`;
    const kind = rng.pick(KINDS);
    events.push({
      id: id(),
      type: 'ticket.created',
      ts: iso(createdAt),
      ticketId,
      kind,
      ...(kind === 'complaint' ? { category: 'service_attitude' as const } : {}),
      priority: rng.pick(TICKET_PRIORITIES),
      tier: rng.pick(TIERS),
      complexity: rng.next() < 0.6 ? 'complex' : 'routine',
      subject: `Customer request number ${t} about the contract`,
      customerId: `customer-${t % 50_000}`,
    });
    if (rng.next() < 0.85) {
      const assignedAt = Math.min(now, createdAt + between(MINUTE, 40 * MINUTE));
      events.push({
        id: id(),
        type: 'ticket.assigned',
        ts: iso(assignedAt),
        ticketId,
        agentId: agentId(Math.floor(rng.next() * o.agents)),
      });
      if (rng.next() < 0.5)
        events.push({
          id: id(),
          type: 'ticket.progress',
          ts: iso(between(assignedAt, now)),
          ticketId,
          percent: 10 + Math.floor(rng.next() * 80),
        });
    }
  }
  // The agents' states now.
  for (let i = 0; i < o.agents; i++) {
    events.push({
      id: id(),
      type: 'agent.state',
      ts: iso(between(now - 20 * MINUTE, now)),
      agentId: agentId(i),
      state: rng.pick(AGENT_STATES),
    });
  }
  return events;
}

/**
 * What reaches the store between two flushes of a busy floor: agents changing state, calls answered
 * and ended, tickets created, assigned, updated and resolved, surveys; all at `now`.
 */
export function flushEvents(
  rng: ReturnType<typeof createRng>,
  now: number,
  o: Required<ScaleOptions>,
  round: number,
): CcEvent[] {
  const ts = iso(now);
  const agentId = () => `agent-${String(Math.floor(rng.next() * o.agents)).padStart(5, '0')}`;
  const ticketId = () => `ticket-${Math.floor(rng.next() * o.tickets)}`;
  const events: CcEvent[] = [];
  let n = 0;
  const id = () => `flush-${round}-${++n}`;
  while (events.length < o.changes) {
    const roll = rng.next();
    if (roll < 0.3) {
      events.push({ id: id(), type: 'agent.state', ts, agentId: agentId(), state: rng.pick(AGENT_STATES) });
    } else if (roll < 0.55) {
      const callId = `flush-call-${round}-${n}`;
      const queue = rng.pick(QUEUES);
      const agent = agentId();
      events.push(
        { id: id(), type: 'call.queued', ts, callId, queue },
        { id: id(), type: 'call.answered', ts, callId, queue, agentId: agent },
        { id: id(), type: 'call.ended', ts, callId, queue, agentId: agent },
      );
    } else if (roll < 0.7) {
      events.push({ id: id(), type: 'ticket.progress', ts, ticketId: ticketId(), percent: 50 });
    } else if (roll < 0.8) {
      events.push({ id: id(), type: 'ticket.assigned', ts, ticketId: ticketId(), agentId: agentId() });
    } else if (roll < 0.87) {
      events.push({ id: id(), type: 'ticket.resolved', ts, ticketId: ticketId() });
    } else if (roll < 0.95) {
      events.push({
        id: id(),
        type: 'ticket.created',
        ts,
        ticketId: `flush-ticket-${round}-${n}`,
        kind: rng.pick(KINDS),
        ...(rng.next() < 0.3 ? { category: 'service_attitude' as const } : {}),
        priority: rng.pick(TICKET_PRIORITIES),
        tier: rng.pick(TIERS),
        complexity: 'routine',
        subject: 'A new request',
        customerId: 'customer-1',
      });
    } else {
      const s = () => 1 + Math.floor(rng.next() * 5);
      events.push({
        id: id(),
        type: 'survey.submitted',
        ts,
        surveyId: `flush-survey-${round}-${n}`,
        agentId: agentId(),
        scores: { speed: s(), resolution: s(), professionalism: s(), recommend: s() },
      });
    }
  }
  return events;
}

/** Runs the scale benchmark. */
export async function benchScale(opts: ScaleOptions = {}): Promise<BenchResult> {
  const o: Required<ScaleOptions> = {
    agents: opts.agents ?? 10_000,
    tickets: opts.tickets ?? 100_000,
    calls: opts.calls ?? 20_000,
    waiting: opts.waiting ?? 200,
    reads: opts.reads ?? 15,
    changes: opts.changes ?? 200,
    coldReads: opts.coldReads ?? 3,
    batch: opts.batch ?? 5000,
  };
  const loadBefore = loadAverage();
  const started = performance.now();
  const infra = await startInfra({ kafka: false });
  try {
    const config = benchConfig('scale', infra);
    const store = await createRedisStore({ url: infra.redis.url, prefix: config.redis.keyPrefix });
    try {
      const h = createHarness({ store, config, now: new Date().toISOString() });
      const now = h.clock.now();
      const shiftStart = h.calendar.shiftAt(now)?.start ?? now - 4 * 60 * MINUTE;
      const events = floorEvents(config, now, shiftStart, o);
      const memBefore = await redisUsedMemory(infra.redis.url);
      const redis0 = await redisCpuSeconds(infra.redis.url);
      const loadStart = performance.now();
      let applied = 0;
      for (let i = 0; i < events.length; i += o.batch) {
        const out = await h.apply(events.slice(i, i + o.batch));
        applied += out.applied;
      }
      const loadMs = performance.now() - loadStart;
      if (applied !== events.length) throw new Error(`applied ${applied} of ${events.length} events`);
      const memAfter = await redisUsedMemory(infra.redis.url);
      const redisLoadCpu = (await redisCpuSeconds(infra.redis.url)) - redis0;
      const atRisk = config.sla.atRiskMinutes;
      const deps = { store, keys: h.keys, calendar: h.calendar };
      const all = { teams: [], queues: [] };
      const queueTeams = config.queueTeams;

      // Cold: a fresh reader reads everything (a start, a reconnect, a store rebuild).
      const coldMs: number[] = [];
      for (let i = 0; i < o.coldReads; i++) {
        const t0 = performance.now();
        await readLive({ ...deps, atRiskMinutes: atRisk }, h.clock.now());
        coldMs.push(performance.now() - t0);
      }

      // As the hub reads: one reader for the run, a flush's worth of events before each read.
      const reader = createLiveReader(deps);
      let view = filterSnapshot(await reader.read(h.clock.now(), atRisk), all, queueTeams);
      const rng = createRng(7);
      const readMs: number[] = [];
      const flushMs: number[] = [];
      const diffMs: number[] = [];
      const deltaBytes: number[] = [];
      let snap: LiveSnapshot = view;
      await profiled('scale-readLive', async () => {
        for (let i = 0; i < o.reads; i++) {
          h.clock.ms += 200;
          const batch = flushEvents(rng, h.clock.now(), o, i);
          const out = await h.apply(batch);
          if (out.applied !== batch.length)
            throw new Error(`applied ${out.applied} of ${batch.length} events`);
          const t0 = performance.now();
          snap = await reader.read(h.clock.now(), atRisk);
          readMs.push(performance.now() - t0);
          const t1 = performance.now();
          const next = filterSnapshot(snap, all, queueTeams);
          const delta = diffSnapshots(view, next);
          const t2 = performance.now();
          diffMs.push(t2 - t1);
          flushMs.push(t2 - t0);
          deltaBytes.push(delta ? Buffer.byteLength(JSON.stringify(delta)) : 0);
          view = next;
        }
      });
      const byKind = await redisMemoryByKind(infra.redis.url, config.redis.keyPrefix);
      const memoryByKind = Object.fromEntries(
        Object.entries(byKind)
          .sort((a, b) => b[1].bytes - a[1].bytes)
          .map(([k, v]) => [k, { keys: v.keys, MiB: round(v.bytes / 2 ** 20, 2) }]),
      );
      const t3 = performance.now();
      const json = JSON.stringify(view);
      const stringifyMs = performance.now() - t3;
      const bytes = Buffer.byteLength(json);
      const gzip = gzipSync(json).length;
      const readMedian = median(readMs);
      const top = Object.entries(memoryByKind).slice(0, 4);
      return {
        bench: 'scale',
        title: `${o.agents} agents, ${o.tickets} open tickets: Redis memory, snapshot`,
        loadBefore,
        loadAfter: loadAverage(),
        seconds: (performance.now() - started) / 1000,
        metrics: [
          { name: `snapshot read after ${o.changes} events, median`, value: readMedian, unit: 'ms' },
          { name: 'snapshot read after changes, p90', value: percentile(readMs, 90), unit: 'ms' },
          { name: 'read + narrow + diff (a hub flush), median', value: median(flushMs), unit: 'ms' },
          { name: 'cold snapshot read (fresh reader), median', value: median(coldMs), unit: 'ms' },
          { name: 'delta JSON per flush, median', value: median(deltaBytes) / 1024, unit: 'KiB' },
          { name: 'snapshot JSON (all teams)', value: bytes / 1024, unit: 'KiB' },
          { name: 'snapshot JSON gzip', value: gzip / 1024, unit: 'KiB' },
          { name: 'Redis used_memory delta', value: (memAfter - memBefore) / 2 ** 20, unit: 'MiB' },
          ...top.map(([kind, v]) => ({
            name: `  of which ${kind} (${v.keys} keys)`,
            value: v.MiB,
            unit: 'MiB',
          })),
          { name: 'load through applyBatch', value: (events.length / loadMs) * 1000, unit: 'events/s' },
        ],
        target: { description: `snapshot ≤ ${TARGET_MS} ms`, met: readMedian <= TARGET_MS },
        details: {
          ...o,
          events: events.length,
          loadSeconds: round(loadMs / 1000),
          redisLoadCpuSeconds: round(redisLoadCpu, 2),
          usedMemoryBefore: memBefore,
          usedMemoryAfter: memAfter,
          memoryByKind,
          readLiveMs: readMs.map((x) => round(x)),
          coldReadMs: coldMs.map((x) => round(x)),
          diffMedianMs: round(median(diffMs)),
          deltaBytes,
          stringifyMs: round(stringifyMs),
          snapshotBytes: bytes,
          snapshotGzipBytes: gzip,
          snapshot: {
            queues: snap.queues.length,
            agents: snap.agents.length,
            openTickets: snap.tickets.open,
            overdue: snap.tickets.overdueCount,
            atRisk: snap.tickets.atRiskCount,
            overdueListed: view.tickets.overdue.length,
            atRiskListed: view.tickets.atRisk.length,
          },
        },
      };
    } finally {
      await store.close();
    }
  } finally {
    await infra.stop();
  }
}
