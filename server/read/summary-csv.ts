/**
 * The shift report as CSV: everything the JSON holds, in sections (calls, agents, tickets, ticket
 * counts by facet, satisfaction, hourly, top complaint categories). Every row starts with its
 * section's name; each section opens with a header row whose first cell is `section`, and a blank
 * line separates sections. Text cells are guarded against spreadsheet formula injection.
 */
import { stringify } from 'csv-stringify/sync';
import { csvSafe } from '../audit/audit.ts';
import { AGENT_STATES, SURVEY_DIMENSIONS } from '../contract/events.ts';
import type {
  CallSummary,
  SatisfactionSummary,
  ShiftsResponse,
  Summary,
  TicketSummary,
} from '../contract/summary.ts';

type Cell = number | string;
type Row = Cell[];

const CALL_FIELDS = [
  'offered',
  'answered',
  'abandoned',
  'shortAbandoned',
  'answeredWithinThreshold',
  'serviceLevel',
  'abandonRate',
  'asaSeconds',
  'ahtSeconds',
] as const satisfies ReadonlyArray<keyof CallSummary>;

const TICKET_FIELDS = [
  'created',
  'resolved',
  'acceptMet',
  'acceptMissed',
  'acceptSlaMet',
  'resolveMet',
  'resolveMissed',
  'resolveSlaMet',
  'overdue',
  'escalated',
  'reassigned',
  'reopened',
] as const satisfies ReadonlyArray<keyof TicketSummary>;

const SAT_HEADER = [
  'satisfactionCount',
  ...SURVEY_DIMENSIONS.map((d) => `mean_${d}`),
  'overall',
  'lowCount',
  'lowShare',
];

const PERIOD_HEADER = ['date', 'period', 'start', 'end'];

/** A number as is, null as an empty cell, text guarded against formula injection. */
const cell = (v: number | string | null | undefined): Cell =>
  v === null || v === undefined ? '' : typeof v === 'number' ? v : csvSafe(v);

const callCells = (c: CallSummary): Row => CALL_FIELDS.map((k) => cell(c[k]));
const satCells = (s: SatisfactionSummary): Row => [
  s.count,
  ...SURVEY_DIMENSIONS.map((d) => cell(s.mean[d])),
  cell(s.overall),
  s.lowCount,
  cell(s.lowShare),
];

interface PeriodRef {
  cells: Row;
  summary: Summary;
}

function periods(r: ShiftsResponse): PeriodRef[] {
  return [
    { cells: [r.date, 'day', r.day.start, r.day.end], summary: r.day },
    ...r.shifts.map((s) => ({ cells: [r.date, cell(s.name), s.start, s.end], summary: s as Summary })),
  ];
}

function section(name: string, header: string[], rows: Row[]): Row[] {
  return [['section', ...header], ...rows.map((row) => [name, ...row]), []];
}

/** Renders a shift report as CSV (RFC 4180). */
export function shiftReportCsv(r: ShiftsResponse): string {
  const ps = periods(r);
  const calls = ps.flatMap(({ cells, summary }) => [
    [...cells, 'all', ...callCells(summary.calls)],
    ...Object.entries(summary.calls.byQueue)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([queue, c]) => [...cells, cell(`queue:${queue}`), ...callCells(c)]),
  ]);
  const agents = ps.flatMap(({ cells, summary }) =>
    summary.agents.map((a) => [
      ...cells,
      cell(a.agentId),
      cell(a.name),
      cell(a.team),
      a.handled,
      a.talkSeconds,
      a.wrapSeconds,
      cell(a.ahtSeconds),
      cell(a.occupancy),
      ...AGENT_STATES.map((s) => a.stateSeconds[s]),
      a.ticketsResolved,
      a.reassignedIn,
      a.reassignedOut,
      ...satCells(a.satisfaction),
    ]),
  );
  const tickets = ps.map(({ cells, summary }) => [
    ...cells,
    ...TICKET_FIELDS.map((k) => cell(summary.tickets[k])),
  ]);
  const facets = ps.flatMap(({ cells, summary }) =>
    (['created', 'resolved'] as const).flatMap((what) => {
      const by = what === 'created' ? summary.tickets.createdBy : summary.tickets.resolvedBy;
      return (['kind', 'tier', 'category', 'priority'] as const).flatMap((facet) =>
        Object.entries(by[facet])
          .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
          .map(([value, count]) => [...cells, what, facet, cell(value), count]),
      );
    }),
  );
  const satisfaction = ps.map(({ cells, summary }) => [...cells, ...satCells(summary.satisfaction)]);
  const hourly = r.hourly.map((h) => [
    r.date,
    h.hour,
    h.start,
    h.end,
    ...callCells(h.calls),
    ...satCells(h.satisfaction),
  ]);
  const top = r.topComplaintCategories7d.map((c, i) => [r.date, i + 1, cell(c.category), c.count]);
  const rows: Row[] = [
    ...section('calls', [...PERIOD_HEADER, 'scope', ...CALL_FIELDS], calls),
    ...section(
      'agents',
      [
        ...PERIOD_HEADER,
        'agentId',
        'name',
        'team',
        'handled',
        'talkSeconds',
        'wrapSeconds',
        'ahtSeconds',
        'occupancy',
        ...AGENT_STATES.map((s) => `seconds_${s}`),
        'ticketsResolved',
        'reassignedIn',
        'reassignedOut',
        ...SAT_HEADER,
      ],
      agents,
    ),
    ...section('tickets', [...PERIOD_HEADER, ...TICKET_FIELDS], tickets),
    ...section('ticket_counts', [...PERIOD_HEADER, 'counted', 'facet', 'value', 'tickets'], facets),
    ...section('satisfaction', [...PERIOD_HEADER, ...SAT_HEADER], satisfaction),
    ...section('hourly', ['date', 'hour', 'start', 'end', ...CALL_FIELDS, ...SAT_HEADER], hourly),
    ...section('top_complaint_categories_7d', ['date', 'rank', 'category', 'tickets'], top),
  ];
  return stringify(rows.slice(0, -1));
}
