/**
 * The change log that lets the live read model read only what changed (server/read/live.ts). Every
 * commit that changes what the live floor shows of an agent (its record, open-ticket load, deadline
 * index or period counters) or of a ticket (its record or deadline indexes) increments a sequence
 * number and scores those ids with it in two sorted sets; a reader that remembers the number it last
 * saw asks for the ids scored above it. Both stores write it from `writeOps`, so no writer can forget.
 */
import type { Op } from '../domain/ops.ts';
import type { ChangeMark, StoreChanges } from './store.ts';

/**
 * Ticket ids stay in the log for this many commits after their last change (agent ids stay for good:
 * there are only as many as agents). A reader reads at every flush, a few commits behind; one further
 * behind than this (a hub without viewers for a while) re-reads the few hundred tickets it lists.
 */
export const TICKET_LOG_COMMITS = 2_000;

/** The ids whose live view a commit of `ops` changes. */
export interface Touched {
  agents: string[];
  tickets: string[];
}

const AGENT_GROUP = 'agent:';

/** Which agents and tickets `ops` change (as the live board shows them). */
export function touchedBy(ops: readonly Op[]): Touched {
  const agents = new Set<string>();
  const tickets = new Set<string>();
  for (const op of ops) {
    switch (op.op) {
      case 'put':
      case 'del':
        if (op.kind === 'agent') agents.add(op.id);
        else if (op.kind === 'ticket') tickets.add(op.id);
        break;
      case 'incr':
        if (op.counter.name === 'agentLoad') agents.add(op.counter.agentId);
        else if (op.counter.name === 'agg' && op.counter.group.startsWith(AGENT_GROUP))
          agents.add(op.counter.group.slice(AGENT_GROUP.length));
        break;
      case 'zadd':
      case 'zrem':
        if (op.index.name === 'agentDue') agents.add(op.index.agentId);
        else if (op.index.name === 'due' || op.index.name === 'nextDue') tickets.add(op.member);
        break;
      case 'zremBelow': // never on a ticket index (ops.ts)
        if (op.index.name === 'agentDue') agents.add(op.index.agentId);
        break;
      default:
        break;
    }
  }
  return { agents: [...agents], tickets: [...tickets] };
}

/**
 * The answer to `changes(since)` from what a store read, in this order: its epoch and sequence number
 * (`seq`), the ids logged above `since.seq`, and the sequence number again (`seqAfter`: commits
 * between the two reads may have trimmed the ticket log). The mark is `seq`, so a change logged while
 * reading is read again next time rather than missed.
 */
export function changesSince(
  since: ChangeMark | null,
  epoch: string | null,
  seq: number,
  logged: Touched | null,
  seqAfter: number,
): StoreChanges {
  const mark = { epoch, seq };
  if (since === null || logged === null || since.epoch !== epoch || seq < since.seq) {
    return { mark, agents: null, tickets: null };
  }
  return {
    mark,
    agents: logged.agents,
    tickets: seqAfter - since.seq > TICKET_LOG_COMMITS ? null : logged.tickets,
  };
}
