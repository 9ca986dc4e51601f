/** The shift report as CSV: one row per period and scope (all calls, each queue, each agent). */
import { stringify } from 'csv-stringify/sync';
import type { CallSummary, ShiftsResponse, Summary } from '../contract/summary.ts';

const CALL_COLUMNS = [
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

const AGENT_COLUMNS = [
  'handled',
  'talkSeconds',
  'ahtSeconds',
  'occupancy',
  'ticketsResolved',
  'reassignedIn',
  'reassignedOut',
] as const;

const HEADER = [
  'date',
  'period',
  'start',
  'end',
  'scope',
  ...CALL_COLUMNS,
  ...AGENT_COLUMNS.map((c) => `agent_${c}`),
  'agent_name',
  'agent_team',
  'satisfaction_count',
  'satisfaction_overall',
  'satisfaction_low_share',
  'tickets_created',
  'tickets_resolved',
  'tickets_accept_sla_met',
  'tickets_resolve_sla_met',
  'tickets_overdue',
  'tickets_escalated',
  'tickets_reassigned',
  'tickets_reopened',
];

const cell = (v: number | string | null | undefined) => (v === null || v === undefined ? '' : v);

function rows(
  date: string,
  period: string,
  start: string,
  end: string,
  s: Summary,
): Array<Array<number | string>> {
  const blank = (n: number) => Array<string>(n).fill('');
  const call = (c: CallSummary) => CALL_COLUMNS.map((k) => cell(c[k]));
  const out: Array<Array<number | string>> = [];
  const t = s.tickets;
  out.push([
    date,
    period,
    start,
    end,
    'all',
    ...call(s.calls),
    ...blank(AGENT_COLUMNS.length + 2),
    s.satisfaction.count,
    cell(s.satisfaction.overall),
    cell(s.satisfaction.lowShare),
    t.created,
    t.resolved,
    cell(t.acceptSlaMet),
    cell(t.resolveSlaMet),
    t.overdue,
    t.escalated,
    t.reassigned,
    t.reopened,
  ]);
  for (const [queue, c] of Object.entries(s.calls.byQueue).sort()) {
    out.push([
      date,
      period,
      start,
      end,
      `queue:${queue}`,
      ...call(c),
      ...blank(AGENT_COLUMNS.length + 2 + 11),
    ]);
  }
  for (const a of s.agents) {
    out.push([
      date,
      period,
      start,
      end,
      `agent:${a.agentId}`,
      ...blank(CALL_COLUMNS.length),
      ...AGENT_COLUMNS.map((k) => cell(a[k])),
      cell(a.name),
      cell(a.team),
      a.satisfaction.count,
      cell(a.satisfaction.overall),
      cell(a.satisfaction.lowShare),
      ...blank(8),
    ]);
  }
  return out;
}

/** Renders a shift report as CSV (RFC 4180, header row first). */
export function shiftReportCsv(r: ShiftsResponse): string {
  const all = [
    ...rows(r.date, 'day', r.day.start, r.day.end, r.day),
    ...r.shifts.flatMap((s) => rows(r.date, s.name, s.start, s.end, s)),
  ];
  return stringify([HEADER, ...all]);
}
