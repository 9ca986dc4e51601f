/** Users and tokens on the admin page (pure): roles offered, team lists, the TV address of a token. */
import type { Role } from '$contract/auth';

/** What each role may do, in the words the forms show beside the choice. */
export const ROLE_HELP: Record<Role, string> = {
  wallboard: 'view the live floor (TVs), read only',
  lead: 'view; reassign tickets within its own teams (needs a team)',
  supervisor: 'view; reassign anywhere; acknowledge escalation alerts',
  manager: 'view; shift reports; audit log',
  admin: 'everything: users, tokens, thresholds, SLA policy, teams',
  metrics: 'Prometheus scraper: reads /metrics only, no team',
};

/** Roles a person can have (`metrics` is for a scraper's token only). */
export const USER_ROLES: Role[] = ['lead', 'supervisor', 'manager', 'admin', 'wallboard'];

/** Roles a token can have, TVs first. */
export const TOKEN_ROLES: Role[] = ['wallboard', 'metrics', 'lead', 'supervisor', 'manager', 'admin'];

/** Team names typed as a comma-separated list: trimmed, without blanks and repeats, in order. */
export function parseTeamList(text: string): string[] {
  return [
    ...new Set(
      text
        .split(',')
        .map((t) => t.trim())
        .filter((t) => t !== ''),
    ),
  ];
}

/** The teams ticked plus those typed, each once (ticked first). */
export function chosenTeams(ticked: readonly string[], typed: string): string[] {
  return [...new Set([...ticked, ...parseTeamList(typed)])];
}

/** Every team name the page knows of, sorted: from the team mapping, the floor, users and tokens. */
export function knownTeams(...sources: ReadonlyArray<Iterable<string | null | undefined>>): string[] {
  const all = new Set<string>();
  for (const source of sources)
    for (const t of source) if (t !== null && t !== undefined && t.trim() !== '') all.add(t);
  return [...all].sort((a, b) => a.localeCompare(b));
}

/** "all teams" for an unscoped user or token, else the teams joined. */
export function teamsText(teams: readonly string[]): string {
  return teams.length === 0 ? 'all teams' : teams.join(', ');
}

/**
 * The address a TV opens to sign in with a wallboard token and show its teams:
 * `https://host/wallboard?token=fbt_…&teams=sales,billing` (commas kept readable, names encoded).
 */
export function tvAddress(origin: string, secret: string, teams: readonly string[] = []): string {
  const base = `${origin.replace(/\/+$/, '')}/wallboard?token=${encodeURIComponent(secret)}`;
  return teams.length === 0 ? base : `${base}&teams=${teams.map(encodeURIComponent).join(',')}`;
}
