/**
 * The write operations the projector emits. They name logical places (an index, a counter hash);
 * server/store/keys.ts maps each to a Redis key, and both stores apply them atomically per batch.
 */
import type { Tier } from '../contract/events.ts';
import type { DeadlineKind } from './records.ts';

export type RecordKind =
  | 'call'
  | 'agent'
  | 'agent-history' // id = agent id: recent state changes and calls (projector only)
  | 'ticket'
  | 'survey'
  // access and audit (server/auth, server/audit)
  | 'user'
  | 'token' // id = sha-256 of the token
  | 'token-name' // id = token name, value = its hash (for revocation)
  | 'session' // id = session id
  | 'audit' // id = audit entry id
  // outbound commands awaiting publication (transactional outbox)
  | 'outbox'
  // acknowledgement of an escalation alert, id = `${ticketId}:${deadlineKind}`
  | 'ack'
  // an escalation alert awaiting acknowledgement, id = `${ticketId}:${deadlineKind}`
  | 'escalation'
  // settings changed by an admin at run time (overrides of config), id = 'overrides'
  | 'setting';

/** Sorted sets: member → score. */
export type IndexRef =
  | { name: 'waiting'; queue: string } // waiting calls of a queue, score = queued at
  | { name: 'due'; kind: DeadlineKind } // open tickets, score = that deadline
  | { name: 'toEscalate'; kind: DeadlineKind } // open tickets whose deadline is not yet escalated, score = it
  | { name: 'agentDue'; agentId: string } // an agent's open tickets, score = the ticket's next deadline
  // open tickets of one owning team (null: none) and tier, score = the ticket's next deadline: the
  // live board's overdue/at-risk counts and lists (VIP first, per team) come from these
  | { name: 'nextDue'; team: string | null; tier: Tier }
  | { name: 'openTickets' } // every open ticket, score = created at
  | { name: 'lowSurveys' } // surveys with a score below 3, score = submitted at
  | { name: 'users' } // user names, score = created at
  | { name: 'tokens' } // token names, score = created at
  | { name: 'audit' } // audit entry ids, score = when
  | { name: 'outbox' } // outbox entry ids, score = enqueued at
  | { name: 'escalations' }; // `${ticketId}:${kind}` escalated and not yet acknowledged, score = when

/** Hashes of integer counters. */
export type CounterRef =
  | { name: 'agg'; period: string; group: string } // shift/day aggregates, see domain/aggregates.ts
  | { name: 'agentLoad'; agentId: string } // open tickets by priority
  | { name: 'satMinute'; minute: number }; // satisfaction sums of one minute (rolling window)

/** Plain sets of names. */
export type SetRef =
  | { name: 'queues' }
  | { name: 'agents' }
  | { name: 'periodGroups'; period: string } // which groups a period has counters for
  | { name: 'ticketTeams' }; // teams that own tickets (the `nextDue` indexes there are, besides team null)

export type Op =
  | { op: 'put'; kind: RecordKind; id: string; value: unknown; expireAt?: number }
  | { op: 'del'; kind: RecordKind; id: string }
  | { op: 'zadd'; index: IndexRef; member: string; score: number }
  | { op: 'zrem'; index: IndexRef; member: string }
  // Not on a ticket's deadline indexes: the change log (store/changes.ts) names the tickets a commit
  // changes, which a range removal does not.
  | { op: 'zremBelow'; index: Exclude<IndexRef, { name: 'due' | 'nextDue' }>; score: number }
  | { op: 'incr'; counter: CounterRef; field: string; by: number }
  | { op: 'expireAt'; counter: CounterRef; at: number }
  | { op: 'sadd'; set: SetRef; member: string }
  | { op: 'expireSetAt'; set: SetRef; at: number }
  // Ingestion bookkeeping, committed in the same transaction as the state change it describes.
  | { op: 'setOffset'; namespace: string; topic: string; partition: number; offset: string }
  | { op: 'markSeen'; bucket: number; ids: string[]; expireAt: number }
  | { op: 'stats'; incr: Record<string, number>; set: Record<string, string> };
