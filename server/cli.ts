/**
 * `npm run cli -- <command>`: operator commands.
 *   replay FILE   ingest a newline-delimited JSON file of contract events into the store
 *   token …       create, list and revoke API tokens
 *   user …        add, list and remove users
 */
import { userInfo } from 'node:os';
import { parseArgs } from 'node:util';
import { loadConfig } from '../config/load.ts';
import type { Config } from '../config/schema.ts';
import { createAuditLog } from './audit/audit.ts';
import type { Actor } from './auth/records.ts';
import { createTokens } from './auth/tokens.ts';
import { createUsers } from './auth/users.ts';
import { systemClock } from './clock.ts';
import { ROLES, type Role } from './contract/auth.ts';
import { projectionContextFactory } from './domain/context.ts';
import { createShiftCalendar } from './domain/shifts.ts';
import { replayFile } from './ingest/replay.ts';
import { createRedisStore, redactRedisUrl } from './store/redis-store.ts';
import { LOCAL_REDIS_URL } from './runtime.ts';
import type { LiveStore } from './store/store.ts';

const USAGE = `usage: npm run cli -- <command>

commands:
  replay FILE   ingest a newline-delimited JSON file of contract events (same validation and
                projection as live ingestion; replaying the same file again applies nothing twice)

  token create --role ROLE [--team TEAM]... [--name NAME]
                create an API token (services, TVs) and print it once; it is stored only as a hash
  token list    list tokens (names, roles, teams; never the tokens)
  token revoke NAME
                revoke a token at once

  user add NAME --role ROLE [--team TEAM]... [--password-stdin]
                add a user; without --password-stdin a strong password is generated and printed once
  user list     list users
  user remove NAME
                remove a user (their sessions end at once)

roles: ${ROLES.join(', ')}; --team scopes a principal to a team (repeatable; none = every team,
except for a lead, who needs at least one). metrics is for tokens only: a Prometheus scraper's token
(token create --role metrics) reads /metrics and nothing else.
Every token and user change is written to the audit log.

environment: REDIS_URL (default ${LOCAL_REDIS_URL}), FLOORBOARD_CONFIG, REDIS_KEY_PREFIX`;

async function replay(args: string[]): Promise<number> {
  const { positionals } = parseArgs({ args, allowPositionals: true, options: {} });
  const file = positionals[0];
  if (!file || positionals.length > 1) {
    console.error('replay takes exactly one FILE\n\n' + USAGE);
    return 2;
  }
  const config = loadConfig();
  const url = config.redis.url ?? LOCAL_REDIS_URL;
  const store = await createRedisStore({ url, prefix: config.redis.keyPrefix }).catch((err: Error) => {
    throw new Error(`cannot reach Redis at ${redactRedisUrl(url)}: ${err.message} (set REDIS_URL)`);
  });
  try {
    const calendar = createShiftCalendar(config.timezone, config.shifts);
    console.error(`replaying ${file} into ${store.describe} (prefix ${store.prefix})`);
    const result = await replayFile(file, {
      store,
      ctxAt: projectionContextFactory(config, calendar),
      now: systemClock.now,
      maxMessageBytes: config.ingest.maxMessageBytes,
      dedupeHours: config.retention.dedupeHours,
      onReject: (line, reason) => console.error(`line ${line}: rejected: ${reason}`),
    });
    console.log(JSON.stringify(result));
    return 0;
  } finally {
    await store.close();
  }
}

/** Opens the Redis store named by the configuration (REDIS_URL, REDIS_KEY_PREFIX), like `replay`. */
async function openStore(config: Config): Promise<LiveStore> {
  const url = config.redis.url ?? LOCAL_REDIS_URL;
  return createRedisStore({ url, prefix: config.redis.keyPrefix }).catch((err: Error) => {
    throw new Error(`cannot reach Redis at ${redactRedisUrl(url)}: ${err.message} (set REDIS_URL)`);
  });
}

/** The command line as an audit actor: `cli:<os user>`. */
function cliActor(): Actor {
  let who = 'unknown';
  try {
    who = userInfo().username;
  } catch {
    // no passwd entry (some containers)
  }
  return { name: `cli:${who}`, role: null };
}

function parseRole(value: string | undefined): Role | null {
  return ROLES.find((r) => r === value) ?? null;
}

/** Runs `fn` with the users and tokens of the configured store, closing it afterwards. */
async function withAccess<T>(
  fn: (access: {
    users: ReturnType<typeof createUsers>;
    tokens: ReturnType<typeof createTokens>;
  }) => Promise<T>,
): Promise<T> {
  const config = loadConfig();
  const store = await openStore(config);
  try {
    const clock = systemClock;
    const audit = createAuditLog({
      store,
      clock,
      retentionDays: config.retention.auditDays,
      timezone: config.timezone,
    });
    return await fn({
      users: createUsers({ store, clock, audit }),
      tokens: createTokens({ store, clock, audit }),
    });
  } finally {
    await store.close();
  }
}

function table(
  rows: Array<{ name: string; role: Role; teams: string[]; createdAt: number; createdBy: string }>,
) {
  if (rows.length === 0) return '(none)';
  const cells = [
    ['NAME', 'ROLE', 'TEAMS', 'CREATED', 'BY'],
    ...rows.map((r) => [
      r.name,
      r.role,
      r.teams.length === 0 ? '(all)' : r.teams.join(','),
      new Date(r.createdAt).toISOString(),
      r.createdBy,
    ]),
  ];
  const widths = cells[0]?.map((_, i) => Math.max(...cells.map((c) => c[i]?.length ?? 0))) ?? [];
  return cells
    .map((c) =>
      c
        .map((v, i) => v.padEnd(widths[i] ?? 0))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin)
    chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
  // The first line is the password; a trailing newline (echo, here-strings) is not part of it.
  return Buffer.concat(chunks).toString('utf8').split(/\r?\n/)[0] ?? '';
}

async function token(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: {
      role: { type: 'string' },
      team: { type: 'string', multiple: true },
      name: { type: 'string' },
    },
  });
  switch (sub) {
    case 'create': {
      const role = parseRole(values.role);
      if (role === null || positionals.length > 0) {
        console.error(`token create needs --role (${ROLES.join(', ')}) and no other arguments\n\n${USAGE}`);
        return 2;
      }
      const created = await withAccess(({ tokens }) =>
        tokens.create({ role, teams: values.team ?? [], name: values.name }, cliActor()),
      );
      console.error(
        `created token ${created.name} (${role}${values.team?.length ? `, teams ${values.team.join(',')}` : ''}). ` +
          'It is shown only now: store it safely. Revoke it with: npm run cli -- token revoke ' +
          created.name,
      );
      console.log(created.token);
      return 0;
    }
    case 'list':
      console.log(table(await withAccess(({ tokens }) => tokens.list())));
      return 0;
    case 'revoke': {
      const name = positionals[0];
      if (!name || positionals.length > 1) {
        console.error(`token revoke takes exactly one NAME\n\n${USAGE}`);
        return 2;
      }
      if (!(await withAccess(({ tokens }) => tokens.revoke(name, cliActor())))) {
        console.error(`no token named ${name} (see: npm run cli -- token list)`);
        return 1;
      }
      console.error(`revoked token ${name}`);
      return 0;
    }
    default:
      console.error(`unknown token command ${JSON.stringify(sub ?? '')}\n\n${USAGE}`);
      return 2;
  }
}

async function user(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: {
      role: { type: 'string' },
      team: { type: 'string', multiple: true },
      'password-stdin': { type: 'boolean' },
    },
  });
  switch (sub) {
    case 'add': {
      const name = positionals[0];
      const role = parseRole(values.role);
      if (!name || positionals.length > 1 || role === null) {
        console.error(`user add needs one NAME and --role (${ROLES.join(', ')})\n\n${USAGE}`);
        return 2;
      }
      const given = values['password-stdin'] ? await readStdin() : undefined;
      const added = await withAccess(({ users }) =>
        users.add({ name, role, teams: values.team ?? [], password: given }, cliActor()),
      );
      console.error(
        `added user ${added.name} (${role}${values.team?.length ? `, teams ${values.team.join(',')}` : ''})`,
      );
      if (given === undefined) {
        console.error('generated password (shown only now):');
        console.log(added.password);
      }
      return 0;
    }
    case 'list':
      console.log(table(await withAccess(({ users }) => users.list())));
      return 0;
    case 'remove': {
      const name = positionals[0];
      if (!name || positionals.length > 1) {
        console.error(`user remove takes exactly one NAME\n\n${USAGE}`);
        return 2;
      }
      if (!(await withAccess(({ users }) => users.remove(name, cliActor())))) {
        console.error(`no user named ${name} (see: npm run cli -- user list)`);
        return 1;
      }
      console.error(`removed user ${name}`);
      return 0;
    }
    default:
      console.error(`unknown user command ${JSON.stringify(sub ?? '')}\n\n${USAGE}`);
      return 2;
  }
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'replay':
      return replay(rest);
    case 'token':
      return token(rest);
    case 'user':
      return user(rest);
    case undefined:
    case 'help':
    case '--help':
      console.log(USAGE);
      return command === undefined ? 2 : 0;
    default:
      console.error(`unknown command ${JSON.stringify(command)}\n\n${USAGE}`);
      return 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(`error: ${(err as Error).message}`);
    // Unknown or malformed options are usage errors, like a missing argument.
    process.exit((err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS') ? 2 : 1);
  },
);
