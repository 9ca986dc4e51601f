/**
 * Demo credentials for the embedded default: one user per role (the lead scoped to `sales`) and a
 * wallboard token, with fresh random secrets on every start. They are returned to be printed once to
 * stdout, never logged.
 */
import type { Role } from '../contract/auth.ts';
import { SYSTEM_ACTOR } from './records.ts';
import type { Tokens } from './tokens.ts';
import type { Users } from './users.ts';

export interface DemoCredentials {
  users: Array<{ name: string; role: Role; teams: string[]; password: string }>;
  tokens: Array<{ name: string; role: Role; teams: string[]; token: string }>;
}

const DEMO_USERS: ReadonlyArray<{ name: string; role: Role; teams: string[] }> = [
  { name: 'demo-wallboard', role: 'wallboard', teams: [] },
  { name: 'demo-lead', role: 'lead', teams: ['sales'] },
  { name: 'demo-supervisor', role: 'supervisor', teams: [] },
  { name: 'demo-manager', role: 'manager', teams: [] },
  { name: 'demo-admin', role: 'admin', teams: [] },
];
const DEMO_TOKEN = { name: 'demo-wallboard-tv', role: 'wallboard' as const, teams: [] };

/** (Re)creates the demo users and token with new secrets; returns the secrets. */
export async function createDemoCredentials(deps: {
  users: Pick<Users, 'add' | 'remove'>;
  tokens: Pick<Tokens, 'create' | 'revoke'>;
}): Promise<DemoCredentials> {
  const out: DemoCredentials = { users: [], tokens: [] };
  for (const u of DEMO_USERS) {
    await deps.users.remove(u.name, SYSTEM_ACTOR);
    const { password } = await deps.users.add(u, SYSTEM_ACTOR);
    out.users.push({ ...u, password });
  }
  await deps.tokens.revoke(DEMO_TOKEN.name, SYSTEM_ACTOR);
  const { token } = await deps.tokens.create(DEMO_TOKEN, SYSTEM_ACTOR);
  out.tokens.push({ ...DEMO_TOKEN, token });
  return out;
}

/** A block of text for stdout that shows the demo credentials once. */
export function formatDemoCredentials(creds: DemoCredentials, url = 'http://localhost:3000'): string {
  const teams = (t: string[]) => (t.length === 0 ? 'all teams' : t.join(','));
  const rows = [
    ['user', 'role', 'teams', 'password'],
    ...creds.users.map((u) => [u.name, u.role, teams(u.teams), u.password]),
  ];
  const widths = [0, 1, 2].map((i) => Math.max(...rows.map((r) => r[i]?.length ?? 0)));
  const line = (r: string[]) =>
    `  ${r.map((c, i) => (i < 3 ? c.padEnd(widths[i] ?? 0) : c)).join('  ')}`.trimEnd();
  const bar = '='.repeat(100);
  return [
    '',
    bar,
    ' DEMO CREDENTIALS (embedded default, simulated data). New on every start; shown only here, never logged.',
    bar,
    ` Sign in at ${url} (POST /api/v1/auth/login {"username","password"}):`,
    '',
    ...rows.map(line),
    '',
    ' Wallboard/TV token (Authorization: Bearer TOKEN, or Socket.IO auth: { token }):',
    ...creds.tokens.map((t) => `  ${t.name} (${t.role}, ${teams(t.teams)}): ${t.token}`),
    bar,
    '',
  ].join('\n');
}
