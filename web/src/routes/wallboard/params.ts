/** What a wallboard URL asks for (pure): `?teams=sales&queues=sales,billing&rotate=20&sound=1`. */
import type { LiveView } from '$contract/realtime';

export const VIEWS = ['overview', 'queues', 'agents', 'tickets'] as const;
export type View = (typeof VIEWS)[number];

export interface WallboardParams {
  /** Teams whose agents and tickets are shown (empty: all the principal may see). */
  teams: string[];
  /** Queues shown (empty: all). */
  queues: string[];
  /** The views the board shows, in rotation order. */
  views: View[];
  /** Seconds per view when rotating, null for a fixed view. */
  rotateSeconds: number | null;
  /** Seconds per page when the agents do not fit on one screen. */
  pageSeconds: number;
  /** Beep when a queue tile turns red. */
  sound: boolean;
}

function list(value: string | null): string[] {
  if (value === null) return [];
  return [
    ...new Set(
      value
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s !== ''),
    ),
  ];
}

function seconds(value: string | null, min: number, max: number): number | null {
  if (value === null || value.trim() === '') return null;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) return null;
  return Math.min(max, Math.max(min, Math.round(n)));
}

/** Reads the wallboard's settings from its query string. */
export function parseWallboardParams(q: URLSearchParams): WallboardParams {
  const rotateSeconds = seconds(q.get('rotate'), 5, 3600);
  const asked = list(q.get('views') ?? q.get('view')).filter((v): v is View =>
    (VIEWS as readonly string[]).includes(v),
  );
  const views: View[] =
    asked.length > 0 ? asked : rotateSeconds !== null ? ['queues', 'agents', 'tickets'] : ['overview'];
  return {
    teams: list(q.get('teams')),
    queues: list(q.get('queues')),
    views: rotateSeconds === null ? views.slice(0, 1) : views,
    rotateSeconds: views.length > 1 ? rotateSeconds : null,
    pageSeconds: seconds(q.get('page'), 5, 600) ?? 12,
    sound: q.get('sound') === '1' || q.get('sound') === 'on',
  };
}

/** Whether a team filter lets `team` through. */
export function teamShown(teams: readonly string[], team: string | null): boolean {
  return teams.length === 0 || (team !== null && teams.includes(team));
}

/**
 * The board's title: the teams (else the queues) of the view the server resolved, which for a
 * team-scoped token is its teams even when the address names none; before the first snapshot, what
 * the address asked for.
 */
export function boardTitle(
  view: LiveView | null,
  params: Pick<WallboardParams, 'teams' | 'queues'>,
  label: (name: string) => string,
): string {
  const { teams, queues } = view ?? params;
  if (teams.length > 0) return teams.map(label).join(' · ');
  if (queues.length > 0) return queues.map(label).join(' · ');
  return 'All teams';
}
