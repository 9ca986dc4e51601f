/** The shift report as CSV: every figure of the JSON, in sections, safe to open in a spreadsheet. */
import { describe, expect, it } from 'vitest';
import { ev } from '../../test/support/events.ts';
import { createHarness, testConfig } from '../../test/support/harness.ts';
import { shiftReportCsv } from './summary-csv.ts';
import { shiftReport } from './summary.ts';

const B = (hhmmss: string) => `2026-03-02T${hhmmss}+01:00`;

describe('the shift report as CSV', () => {
  it('holds every figure of the report, section by section, with text cells that cannot run as formulas', async () => {
    const config = testConfig({ shifts: [{ name: 'early', start: '08:00', end: '16:00' }] });
    const h = createHarness({ config, now: B('20:00:00') });
    await h.apply([
      ev.agent({ agentId: 'a1', name: '=1+2', team: '@ops', state: 'available', ts: B('08:00:00') }),
      ev.queued({ callId: 'c1', ts: B('09:00:00') }),
      ev.answered({ callId: 'c1', agentId: 'a1', ts: B('09:00:10') }), // wait 10 s
      ev.agent({ agentId: 'a1', state: 'on_call', ts: B('09:00:10') }),
      ev.ended({ callId: 'c1', agentId: 'a1', ts: B('09:02:10') }), // talk 120 s
      ev.agent({ agentId: 'a1', state: 'wrap_up', ts: B('09:02:10') }),
      ev.agent({ agentId: 'a1', state: 'available', ts: B('09:03:10') }), // wrap-up 60 s
      ev.agent({ agentId: 'a1', state: 'offline', ts: B('10:00:00') }),
      ev.ticket({
        ticketId: 't1',
        kind: 'complaint',
        category: 'price',
        priority: 'high',
        tier: 'vip',
        ts: B('09:30:00'),
      }),
      ev.assigned({ ticketId: 't1', agentId: 'a1', ts: B('09:40:00') }), // VIP accept 15 min: met
      ev.resolved({ ticketId: 't1', ts: B('10:30:00') }), // VIP resolve 2 h: met
      ev.survey({
        surveyId: 's1',
        agentId: 'a1',
        ts: B('09:50:00'),
        scores: { speed: 5, resolution: 4, professionalism: 3, recommend: 2 },
      }),
    ]);
    const csv = shiftReportCsv(await shiftReport(h, '2026-03-02', h.clock.now()));

    const day = '2026-03-02,day,2026-03-02T00:00:00+01:00,2026-03-03T00:00:00+01:00';
    const early = '2026-03-02,early,2026-03-02T08:00:00+01:00,2026-03-02T16:00:00+01:00';
    // available 08:00–09:00:10 and 09:03:10–10:00 = 7020 s; occupancy (120 + 60) / (120 + 60 + 7020).
    const agent = "a1,'=1+2,'@ops,1,120,60,180,0.025,7020,120,60,0,0,1,0,0,1,5,4,3,2,3.5,1,1";
    const calls = '1,1,0,0,1,1,0,10,180';
    const noCalls = '0,0,0,0,0,,,,,0,,,,,,0,';
    const hour = (hh: number) =>
      `hourly,2026-03-02,${String(hh).padStart(2, '0')}:00,2026-03-02T${String(hh).padStart(2, '0')}:00:00+01:00,` +
      `${hh === 23 ? '2026-03-03T00' : `2026-03-02T${String(hh + 1).padStart(2, '0')}`}:00:00+01:00,`;
    const hourly = Array.from({ length: 24 }, (_, hh) =>
      hh === 9 ? `${hour(hh)}${calls},1,5,4,3,2,3.5,1,1` : `${hour(hh)}${noCalls}`,
    );
    const facets = (period: string) =>
      ['created', 'resolved'].flatMap((what) =>
        ['kind,complaint', 'tier,vip', 'category,price', 'priority,high'].map(
          (fv) => `ticket_counts,${period},${what},${fv},1`,
        ),
      );
    const expected = [
      'section,date,period,start,end,scope,offered,answered,abandoned,shortAbandoned,answeredWithinThreshold,serviceLevel,abandonRate,asaSeconds,ahtSeconds',
      `calls,${day},all,${calls}`,
      `calls,${day},queue:sales,${calls}`,
      `calls,${early},all,${calls}`,
      `calls,${early},queue:sales,${calls}`,
      '',
      'section,date,period,start,end,agentId,name,team,handled,talkSeconds,wrapSeconds,ahtSeconds,occupancy,seconds_available,seconds_on_call,seconds_wrap_up,seconds_break,seconds_offline,ticketsResolved,reassignedIn,reassignedOut,satisfactionCount,mean_speed,mean_resolution,mean_professionalism,mean_recommend,overall,lowCount,lowShare',
      `agents,${day},${agent}`,
      `agents,${early},${agent}`,
      '',
      'section,date,period,start,end,created,resolved,acceptMet,acceptMissed,acceptSlaMet,resolveMet,resolveMissed,resolveSlaMet,overdue,escalated,reassigned,reopened',
      `tickets,${day},1,1,1,0,1,1,0,1,0,0,0,0`,
      `tickets,${early},1,1,1,0,1,1,0,1,0,0,0,0`,
      '',
      'section,date,period,start,end,counted,facet,value,tickets',
      ...facets(day),
      ...facets(early),
      '',
      'section,date,period,start,end,satisfactionCount,mean_speed,mean_resolution,mean_professionalism,mean_recommend,overall,lowCount,lowShare',
      `satisfaction,${day},1,5,4,3,2,3.5,1,1`,
      `satisfaction,${early},1,5,4,3,2,3.5,1,1`,
      '',
      'section,date,hour,start,end,offered,answered,abandoned,shortAbandoned,answeredWithinThreshold,serviceLevel,abandonRate,asaSeconds,ahtSeconds,satisfactionCount,mean_speed,mean_resolution,mean_professionalism,mean_recommend,overall,lowCount,lowShare',
      ...hourly,
      '',
      'section,date,rank,category,tickets',
      'top_complaint_categories_7d,2026-03-02,1,price,1',
      '',
    ].join('\n');
    expect(csv).toBe(expected);
  });
});
