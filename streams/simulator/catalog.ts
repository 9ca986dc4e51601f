/** The simulated centre's fixed data: staff roster and shifts, queues, demand curves and ticket texts. */
import type { Config } from '../../config/schema.ts';
import type { ComplaintCategory, TicketKind } from '../../server/contract/events.ts';

/** Which configured team an agent or queue belongs to, by the ticket kind the team owns. */
export type Role = TicketKind;

export interface RosterEntry {
  readonly agentId: string;
  readonly name: string;
  readonly role: Role;
  /** Shift start, minutes after local midnight. */
  readonly shiftStart: number;
  readonly shiftMinutes: number;
}

const NAMES = [
  'Anna Schmidt',
  'Lukas Weber',
  'Mia Hoffmann',
  'Jonas Becker',
  'Priya Patel',
  'James O’Connor',
  'Sofia Rossi',
  'Emre Yılmaz',
  'Lea Fischer',
  'Noah Wagner',
  'Hannah Klein',
  'Mateo García',
  'Chloé Martin',
  'Ben Schulz',
  'Aylin Demir',
  'Tomasz Nowak',
  'Julia Braun',
  'David Cohen',
  'Emma Wolf',
  'Ravi Kumar',
  'Laura Zimmermann',
  'Felix Krüger',
  'Nina Hartmann',
  'Oliver Smith',
  'Sara Lindqvist',
  'Paul Richter',
  'Fatima Haddad',
  'Leon König',
  'Marta Kowalska',
  'Elias Vogel',
] as const;

// Shift starts (local HH:MM) per role: staggered so staffing follows the demand curve below.
const SHIFT_STARTS: Record<Role, readonly string[]> = {
  consultation: [
    '23:00',
    '07:00',
    '07:00',
    '07:00',
    '07:30',
    '08:00',
    '08:00',
    '09:00',
    '09:30',
    '11:00',
    '12:00',
    '14:30',
    '14:30',
  ],
  technical: [
    '23:00',
    '07:00',
    '07:00',
    '07:30',
    '08:00',
    '08:30',
    '09:00',
    '10:00',
    '11:00',
    '12:00',
    '14:30',
    '14:30',
  ],
  complaint: ['07:00', '08:30', '10:00', '10:30', '13:00'],
};

function minutes(hhmm: string): number {
  const [h, m] = hhmm.split(':').map(Number);
  return (h ?? 0) * 60 + (m ?? 0);
}

/** The 30 agents: 13 consultation, 12 technical, 5 complaint handlers (supervisors). */
export const ROSTER: readonly RosterEntry[] = (['consultation', 'technical', 'complaint'] as const)
  .flatMap((role) => SHIFT_STARTS[role].map((start) => ({ role, start })))
  .map(({ role, start }, i) => ({
    agentId: `a-${String(i + 1).padStart(3, '0')}`,
    name: NAMES[i] ?? `Agent ${i + 1}`,
    role,
    shiftStart: minutes(start),
    shiftMinutes: start === '23:00' ? 480 : 510,
  }));

/** The team name an agent of `role` belongs to. */
export function teamOf(role: Role, teams: Config['teams']): string {
  return teams[role];
}

export interface QueueDef {
  readonly name: string;
  /** Share of calls. */
  readonly weight: number;
  /** Teams that may answer, preferred first. */
  readonly teams: readonly string[];
  /** Median talk time in minutes. */
  readonly talkMedianMin: number;
  /** What kind of ticket a call here may leave behind. */
  readonly ticketKinds: readonly (readonly [TicketKind, number])[];
}

/** The call queues, with the configured teams that answer each. */
export function queuesFor(teams: Config['teams']): QueueDef[] {
  const t = (...roles: Role[]) => [...new Set(roles.map((r) => teams[r]))];
  return [
    {
      name: 'sales',
      weight: 0.36,
      teams: t('consultation'),
      talkMedianMin: 3.2,
      ticketKinds: [['consultation', 1]],
    },
    {
      name: 'support',
      weight: 0.34,
      teams: t('technical'),
      talkMedianMin: 3.6,
      ticketKinds: [['technical', 1]],
    },
    {
      name: 'billing',
      weight: 0.18,
      teams: t('consultation', 'complaint'),
      talkMedianMin: 3.0,
      ticketKinds: [
        ['consultation', 0.7],
        ['complaint', 0.3],
      ],
    },
    {
      name: 'complaints',
      weight: 0.12,
      teams: t('complaint', 'consultation'),
      talkMedianMin: 4.5,
      ticketKinds: [['complaint', 1]],
    },
  ];
}

// Calls per minute at the middle of each local hour 00–23: quiet at night, peaks late morning and
// early afternoon with a lunchtime dip.
const CALLS_PER_MINUTE = [
  0.05, 0.03, 0.03, 0.02, 0.03, 0.05, 0.17, 0.7, 1.6, 2.3, 2.7, 2.8, 2.1, 2.2, 2.6, 2.4, 1.9, 1.35, 0.9, 0.55,
  0.4, 0.25, 0.15, 0.08,
];
// Tickets per minute arriving by email, web form or chat (phone tickets come from calls).
const TICKETS_PER_MINUTE = [
  0.03, 0.02, 0.02, 0.02, 0.02, 0.03, 0.05, 0.12, 0.22, 0.28, 0.3, 0.3, 0.25, 0.27, 0.28, 0.27, 0.24, 0.2,
  0.15, 0.12, 0.1, 0.08, 0.06, 0.04,
];

function interpolate(profile: readonly number[], minuteOfDay: number): number {
  const pos = minuteOfDay / 60 - 0.5;
  const i = Math.floor(pos);
  const frac = pos - i;
  const a = profile[(i + 24) % 24] ?? 0;
  const b = profile[(i + 25) % 24] ?? 0;
  return a + (b - a) * frac;
}

/** Call arrival rate (per minute) at a local minute of the day. */
export const callRate = (minuteOfDay: number): number => interpolate(CALLS_PER_MINUTE, minuteOfDay);
export const MAX_CALL_RATE = Math.max(...CALLS_PER_MINUTE);
/** Non-phone ticket arrival rate (per minute) at a local minute of the day. */
export const ticketRate = (minuteOfDay: number): number => interpolate(TICKETS_PER_MINUTE, minuteOfDay);
export const MAX_TICKET_RATE = Math.max(...TICKETS_PER_MINUTE);

export const BREAK_REASONS = ['lunch', 'coffee', 'training', 'meeting'] as const;
export type BreakReason = (typeof BREAK_REASONS)[number];

const SUBJECTS: Record<Exclude<TicketKind, 'complaint'> | ComplaintCategory, readonly string[]> = {
  consultation: [
    'Question about upgrading my plan',
    'Request for a quote for 50 licences',
    'How do I change my billing address?',
    'Contract renewal options',
    'Do you deliver to Austria and Switzerland?',
    'Discount for paying annually',
    'Which tariff fits a small office?',
    'Can I move my contract to a new address?',
    'Invoice needed with our VAT number',
    'Adding a second user to my account',
  ],
  technical: [
    'Cannot log in after password reset',
    'App crashes when exporting to PDF',
    'Router keeps dropping the connection',
    'Error 502 on the checkout page',
    'Sync between phone and laptop not working',
    'Two-factor code never arrives',
    'Printer driver will not install on Windows 11',
    'Emails stuck in the outbox',
    'Slow speeds every evening',
    'API returns 401 with a valid token',
  ],
  product_quality: [
    'Device stopped working after two weeks',
    'Received a damaged item',
    'Battery drains within a few hours',
    'Replacement part is faulty too',
  ],
  service_attitude: [
    'Agent was rude on the phone',
    'Nobody called me back as promised',
    'Was transferred five times without help',
    'Technician did not show up',
  ],
  price: [
    'Charged twice for the same order',
    'Price went up without notice',
    'Cancellation fee seems wrong',
    'Refund still not received',
  ],
  false_advertising: [
    'Advertised speed is never reached',
    'Promotion discount not applied as advertised',
    'Feature from the brochure is missing',
  ],
  other: [
    'Parcel left at the wrong address',
    'Unhappy with the cancellation process',
    'Data deleted without asking me',
    'Letter sent to my old name',
  ],
};

/** A realistic ticket subject for a kind (and complaint category). */
export function subjectFor(
  kind: TicketKind,
  category: ComplaintCategory | undefined,
  pick: <T>(xs: readonly T[]) => T,
): string {
  return pick(SUBJECTS[kind === 'complaint' ? (category ?? 'other') : kind]);
}

/** Progress notes an agent might leave. */
export const PROGRESS_NOTES = [
  'Reproduced the issue',
  'Waiting for the customer to reply',
  'Escalated to second-level support',
  'Asked finance to approve a refund',
  'Sent a quote to the customer',
  'Collected logs from the customer',
  'Replacement ordered',
  'Called the customer back',
  'Fix deployed, waiting for confirmation',
] as const;
