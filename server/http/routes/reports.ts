/** Shift summaries for managers: JSON or CSV. */
import { Router } from 'express';
import { parseIsoDate, type ShiftCalendar } from '../../domain/shifts.ts';
import { shiftReport, type SummaryDeps } from '../../read/summary.ts';
import { shiftReportCsv } from '../../read/summary-csv.ts';
import { routeDeclarer, type RouteSpec } from '../guard.ts';

export interface ReportRoutesDeps extends SummaryDeps {
  calendar: ShiftCalendar;
  now: () => number;
}

/** GET /shifts?date=YYYY-MM-DD[&format=csv] (default date: today in the centre's time zone). */
export function reportRoutes(deps: ReportRoutesDeps, specs: RouteSpec[]): Router {
  const router = Router();
  const route = routeDeclarer(router, specs);
  route('get', '/shifts', 'reports:view', async (req, res) => {
    const raw = typeof req.query.date === 'string' ? req.query.date : deps.calendar.isoDate(deps.now());
    let date: string;
    try {
      date = parseIsoDate(raw);
      const year = Number(date.slice(0, 4));
      if (year < 1970 || year > 2999)
        throw new Error(`date ${date} is out of range: use a year from 1970 to 2999`);
    } catch (err) {
      res.status(400).json({ error: (err as Error).message });
      return;
    }
    const format = req.query.format ?? 'json';
    if (format !== 'json' && format !== 'csv') {
      res.status(400).json({ error: 'format must be json or csv' });
      return;
    }
    const report = await shiftReport(deps, date, deps.now());
    if (format === 'csv') {
      res.type('text/csv').attachment(`floorboard-shifts-${date}.csv`).send(shiftReportCsv(report));
    } else res.json(report);
  });
  return router;
}
