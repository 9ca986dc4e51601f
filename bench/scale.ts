/**
 * Scale: Redis memory and the live snapshot at 10,000 agents and 100,000 open tickets. The floor is
 * loaded through the real projection path (`applyBatch` via the test harness, Redis store) in large
 * batches: agents with states, open tickets (most assigned, some with progress), and a shift's worth
 * of calls and surveys so every agent and queue has counters. Then `readLive` is timed (median of
 * several calls) and its JSON measured.
 */
import { gzipSync } from 'node:zlib';
import type { Config } from '../config/schema.ts';
import type { CcEvent, TicketKind } from '../server/contract/events.ts';
import { AGENT_STATES, TICKET_PRIORITIES, TIERS } from '../server/contract/events.ts';
import { diffSnapshots } from '../server/realtime/views.ts';
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
  /** readLive calls to take the median of (default 15). */
  reads?: number;
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

/** Runs the scale benchmark. */
export async function benchScale(opts: ScaleOptions = {}): Promise<BenchResult> {
  const o: Required<ScaleOptions> = {
    agents: opts.agents ?? 10_000,
    tickets: opts.tickets ?? 100_000,
    calls: opts.calls ?? 20_000,
    waiting: opts.waiting ?? 200,
    reads: opts.reads ?? 15,
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

      // Warm up, then time readLive alone, and the rest of a hub flush (serialise, diff).
      let snap = await h.live();
      const readMs: number[] = [];
      const stringifyMs: number[] = [];
      const diffMs: number[] = [];
      await profiled('scale-readLive', async () => {
        for (let i = 0; i < o.reads; i++) {
          const t0 = performance.now();
          const next = await h.live();
          readMs.push(performance.now() - t0);
          const t1 = performance.now();
          JSON.stringify(next);
          stringifyMs.push(performance.now() - t1);
          const t2 = performance.now();
          diffSnapshots(snap, next);
          diffMs.push(performance.now() - t2);
          snap = next;
        }
      });
      const byKind = await redisMemoryByKind(infra.redis.url, config.redis.keyPrefix);
      const memoryByKind = Object.fromEntries(
        Object.entries(byKind)
          .sort((a, b) => b[1].bytes - a[1].bytes)
          .map(([k, v]) => [k, { keys: v.keys, MiB: round(v.bytes / 2 ** 20, 2) }]),
      );
      const json = JSON.stringify(snap);
      const bytes = Buffer.byteLength(json);
      const gzip = gzipSync(json).length;
      const readMedian = median(readMs);
      return {
        bench: 'scale',
        title: `${o.agents} agents, ${o.tickets} open tickets: Redis memory, snapshot`,
        loadBefore,
        loadAfter: loadAverage(),
        seconds: (performance.now() - started) / 1000,
        metrics: [
          { name: 'readLive median', value: readMedian, unit: 'ms' },
          { name: 'readLive p90', value: percentile(readMs, 90), unit: 'ms' },
          { name: 'snapshot JSON', value: bytes / 1024, unit: 'KiB' },
          { name: 'snapshot JSON gzip', value: gzip / 1024, unit: 'KiB' },
          { name: 'Redis used_memory delta', value: (memAfter - memBefore) / 2 ** 20, unit: 'MiB' },
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
          stringifyMedianMs: round(median(stringifyMs)),
          diffMedianMs: round(median(diffMs)),
          snapshotBytes: bytes,
          snapshotGzipBytes: gzip,
          snapshot: {
            queues: snap.queues.length,
            agents: snap.agents.length,
            openTickets: snap.tickets.open,
            overdueListed: snap.tickets.overdue.length,
            atRiskListed: snap.tickets.atRisk.length,
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
