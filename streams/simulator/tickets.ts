/** The ticket desk: creation, assignment (mostly on time, some late or forgotten), progress, resolution. */
import type { Config } from '../../config/schema.ts';
import {
  COMPLAINT_CATEGORIES,
  type Complexity,
  type ComplaintCategory,
  type TicketKind,
  type TicketPriority,
  type Tier,
} from '../../server/contract/events.ts';
import type { AgentPool } from './agents.ts';
import { MAX_TICKET_RATE, PROGRESS_NOTES, subjectFor, ticketRate } from './catalog.ts';
import type { EndedCall } from './calls.ts';
import type { Surveys } from './surveys.ts';
import { poissonArrivals, type World } from './world.ts';

const MINUTE = 60_000;

interface Ticket {
  readonly id: string;
  readonly kind: TicketKind;
  readonly tier: Tier;
  readonly complexity: Complexity;
  readonly team: string;
  agentId: string | null;
  percent: number;
  reopened: boolean;
}

/** The ticket desk. */
export interface TicketDesk {
  /** Starts the email/web/chat arrival process. */
  start(): void;
  /** Sometimes opens a phone ticket after a call, handled by the same agent when it is their team's. */
  afterCall(call: EndedCall): void;
  /** Tickets not yet closed. */
  readonly active: number;
}

/** Creates the ticket desk; teams come from configuration (kind → owning team). */
export function createTicketDesk(
  world: World,
  pool: AgentPool,
  teams: Config['teams'],
  surveys: Surveys,
): TicketDesk {
  const { rng } = world;
  const tickets = new Map<string, Ticket>();
  const later = (minutes: number, action: () => void): void =>
    world.at(world.now + Math.round(minutes * MINUTE), action);

  function create(kind: TicketKind, channel: string, tierHint?: Tier): Ticket {
    const tier =
      tierHint ??
      rng.weighted<Tier>([
        ['vip', 0.1],
        ['key', 0.25],
        ['normal', 0.65],
      ]);
    const category: ComplaintCategory | undefined =
      kind === 'complaint'
        ? rng.weighted(COMPLAINT_CATEGORIES.map((c) => [c, c === 'other' ? 0.12 : 0.22] as const))
        : undefined;
    const priority = rng.weighted<TicketPriority>(
      tier === 'vip'
        ? [
            ['high', 0.5],
            ['medium', 0.4],
            ['low', 0.1],
          ]
        : [
            ['high', tier === 'key' ? 0.3 : 0.15],
            ['medium', 0.5],
            ['low', tier === 'key' ? 0.2 : 0.35],
          ],
    );
    const complexity: Complexity = rng.chance(kind === 'consultation' ? 0.15 : 0.32) ? 'complex' : 'routine';
    const ticket: Ticket = {
      id: world.newId('tkt'),
      kind,
      tier,
      complexity,
      team: teams[kind],
      agentId: null,
      percent: 0,
      reopened: false,
    };
    tickets.set(ticket.id, ticket);
    const order = rng.chance(0.3) ? ` (order #${rng.int(100000, 999999)})` : '';
    world.emit({
      type: 'ticket.created',
      ticketId: ticket.id,
      kind,
      ...(category ? { category } : {}),
      priority,
      tier,
      complexity,
      channel,
      subject: subjectFor(kind, category, rng.pick) + order,
      customerId: `cust-${rng.int(10000, 99999)}`,
      team: ticket.team,
    });
    return ticket;
  }

  // Minutes until someone picks the ticket up: mostly within the 30-minute target, some late, a few forgotten.
  function acceptDelayMinutes(tier: Tier): number {
    const r = rng.next();
    if (r < 0.04) return rng.uniform(180, 480);
    if (r < 0.16) return rng.uniform(31, 120);
    return tier === 'vip' ? rng.uniform(0.5, 12) : rng.uniform(1, 28);
  }

  function assign(ticket: Ticket, agentId: string, by?: string): void {
    ticket.agentId = agentId;
    world.emit({ type: 'ticket.assigned', ticketId: ticket.id, agentId, ...(by ? { by } : {}) });
  }

  // Assign to someone of the owning team who is logged in; nobody on shift (at night) means later.
  function tryAssign(ticket: Ticket): void {
    const candidates = pool.loggedIn(ticket.team);
    if (candidates.length === 0) return later(rng.uniform(8, 15), () => tryAssign(ticket));
    assign(ticket, rng.pick(candidates).id);
    work(ticket);
  }

  function progress(ticket: Ticket, percent: number): void {
    ticket.percent = Math.max(ticket.percent, Math.min(95, Math.round(percent)));
    world.emit({
      type: 'ticket.progress',
      ticketId: ticket.id,
      percent: ticket.percent,
      ...(rng.chance(0.8) ? { note: rng.pick(PROGRESS_NOTES) } : {}),
    });
  }

  function work(ticket: Ticket): void {
    const complex = ticket.complexity === 'complex';
    const total = complex ? rng.uniform(120, 840) : Math.min(330, Math.max(15, rng.logNormal(70, 0.6)));
    const updates = complex ? rng.int(2, 5) : rng.int(0, 2);
    for (let k = 1; k <= updates; k++) {
      const frac = (k - 0.2 + 0.4 * rng.next()) / (updates + 1);
      later(total * frac, () => progress(ticket, 100 * frac));
    }
    if (rng.chance(0.05)) {
      later(total * rng.uniform(0.1, 0.4), () => {
        const others = pool.loggedIn(ticket.team).filter((a) => a.id !== ticket.agentId);
        const supervisor = pool.loggedIn(teams.complaint)[0];
        if (others.length > 0) assign(ticket, rng.pick(others).id, supervisor ? supervisor.id : 'system');
      });
    }
    later(total, () => resolve(ticket));
  }

  function resolve(ticket: Ticket): void {
    ticket.percent = 100;
    world.emit({ type: 'ticket.resolved', ticketId: ticket.id });
    if (!ticket.reopened && rng.chance(0.07)) {
      later(rng.uniform(30, 240), () => {
        ticket.reopened = true;
        ticket.percent = 40;
        world.emit({ type: 'ticket.reopened', ticketId: ticket.id });
        later(rng.uniform(15, 60), () => progress(ticket, 70));
        later(rng.uniform(75, 180), () => resolve(ticket));
      });
    } else {
      later(rng.uniform(30, 180), () => close(ticket));
    }
  }

  function close(ticket: Ticket): void {
    world.emit({ type: 'ticket.closed', ticketId: ticket.id });
    tickets.delete(ticket.id);
    surveys.afterTicket(ticket.id, ticket.agentId, ticket.reopened);
  }

  function arrive(): void {
    const kind = rng.weighted<TicketKind>([
      ['consultation', 0.45],
      ['technical', 0.4],
      ['complaint', 0.15],
    ]);
    const daytime = pool.loggedIn(teams.consultation).length > 2;
    const channel = rng.weighted<string>([
      ['email', daytime ? 0.45 : 0.7],
      ['web', 0.3],
      ['chat', daytime ? 0.25 : 0],
    ]);
    const ticket = create(kind, channel);
    later(acceptDelayMinutes(ticket.tier), () => tryAssign(ticket));
  }

  return {
    start() {
      poissonArrivals(world, (ms) => ticketRate(world.clock.minuteOfDay(ms)), MAX_TICKET_RATE, arrive);
    },
    afterCall(call) {
      if (!rng.chance(0.1)) return;
      const kind = rng.weighted(call.queue.ticketKinds);
      const ticket = create(kind, 'phone', call.tier);
      if (call.agent.team === ticket.team && call.agent.state !== 'offline') {
        later(rng.uniform(0.2, 1.5), () => {
          assign(ticket, call.agent.id);
          work(ticket);
        });
      } else {
        later(acceptDelayMinutes(ticket.tier), () => tryAssign(ticket));
      }
    },
    get active() {
      return tickets.size;
    },
  };
}
