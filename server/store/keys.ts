/** The one place Redis key names are built. Every key starts with the configured prefix. */
import type { CounterRef, IndexRef, RecordKind, SetRef } from '../domain/ops.ts';

/** Key names for one key prefix (e.g. `floorboard:`). */
export interface Keys {
  prefix: string;
  record(kind: RecordKind, id: string): string;
  index(ref: IndexRef): string;
  counter(ref: CounterRef): string;
  set(ref: SetRef): string;
  /** Last applied offset of one partition within one source's offset space. One key per partition, so
   * instances consuming different partitions never touch (or WATCH) the same offset key. */
  offset(namespace: string, topic: string, partition: number): string;
  /** Before per-partition keys: one hash per topic, field = partition. Read only, as a fallback, so a
   * store written by an older version resumes where it was. */
  legacyOffsets(namespace: string, topic: string): string;
  /** Ids of applied events, bucketed by the event's hour (so old buckets expire whole). */
  dedupe(hourBucket: number): string;
  /** The store epoch: a random id the first ingestion commit writes. If it disappears, the store lost
   * its state (Redis restarted empty, or was flushed) and ingestion rebuilds it. */
  epoch(): string;
  /** Ingestion counters: eventsProcessed, deadLettered, lastEventAt … */
  stats(): string;
  /** Prefix of one rate limiter's counters (sign-in limits, shared by every instance). */
  rateLimit(name: string): string;
  /** The change log (store/changes.ts): the commit sequence number, and the ids each commit changed,
   * scored by it. */
  changeSeq(): string;
  changeLog(of: 'agents' | 'tickets'): string;
}

/** Builds the key names for `prefix`. */
export function createKeys(prefix: string): Keys {
  const p = prefix;
  return {
    prefix: p,
    record: (kind, id) => `${p}${kind}:${id}`,
    index(ref) {
      switch (ref.name) {
        case 'waiting':
          return `${p}waiting:${ref.queue}`;
        case 'due':
          return `${p}due:${ref.kind}`;
        case 'toEscalate':
          return `${p}to-escalate:${ref.kind}`;
        case 'agentDue':
          return `${p}agent-due:${ref.agentId}`;
        case 'nextDue':
          // Team null has no third part; a team's name follows the tier whatever it contains.
          return ref.team === null ? `${p}next-due:${ref.tier}` : `${p}next-due:${ref.tier}:${ref.team}`;
        case 'openTickets':
          return `${p}tickets:open`;
        case 'lowSurveys':
          return `${p}surveys:low`;
        case 'users':
          return `${p}users`;
        case 'tokens':
          return `${p}tokens`;
        case 'audit':
          return `${p}audit`;
        case 'outbox':
          return `${p}outbox`;
        case 'escalations':
          return `${p}escalations`;
      }
    },
    counter(ref) {
      switch (ref.name) {
        case 'agg':
          return `${p}agg:${ref.period}:${ref.group}`;
        case 'agentLoad':
          return `${p}agent-load:${ref.agentId}`;
        case 'satMinute':
          return `${p}sat-minute:${ref.minute}`;
      }
    },
    set(ref) {
      switch (ref.name) {
        case 'queues':
          return `${p}queues`;
        case 'agents':
          return `${p}agents`;
        case 'periodGroups':
          return `${p}period-groups:${ref.period}`;
        case 'ticketTeams':
          return `${p}ticket-teams`;
      }
    },
    offset: (namespace, topic, partition) => `${p}offset:${namespace}:${topic}:${partition}`,
    legacyOffsets: (namespace, topic) => `${p}offsets:${namespace}:${topic}`,
    dedupe: (hourBucket) => `${p}dedupe:${hourBucket}`,
    epoch: () => `${p}epoch`,
    stats: () => `${p}stats`,
    rateLimit: (name) => `${p}rate-limit:${name}:`,
    changeSeq: () => `${p}changes:seq`,
    changeLog: (of) => `${p}changes:${of}`,
  };
}
