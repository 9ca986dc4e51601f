/**
 * Access control over every socket event of the composed server, with real tokens and sessions: an
 * unauthenticated socket is refused, every event of SOCKET_EVENTS answers `forbidden` to every role
 * without its permission (a new event is in the table by construction, so it is covered here), and
 * revoking a token, removing a user or signing out disconnects their open sockets at once.
 */
import { io as connect, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { roleHas } from '../../server/auth/permissions.ts';
import { SYSTEM_ACTOR } from '../../server/auth/records.ts';
import { systemClock } from '../../server/clock.ts';
import { ROLES, type Role } from '../../server/contract/auth.ts';
import type { ClientToServerEvents, ServerToClientEvents } from '../../server/contract/realtime.ts';
import { startFloorboard, type Floorboard } from '../../server/floorboard.ts';
import { createLogger } from '../../server/log.ts';
import { SOCKET_EVENT_NAMES, SOCKET_EVENTS } from '../../server/realtime/socket-access.ts';
import { testConfig } from '../support/harness.ts';
import { freePort, uniqueName } from '../support/services.ts';

type Client = Socket<ServerToClientEvents, ClientToServerEvents>;
/** The untyped view of a client, to send every event the same way. */
type RawClient = { emitWithAck(event: string, ...args: unknown[]): Promise<unknown> };

const PASSWORD = 'correct horse battery staple';
let fb: Floorboard;
const tokens = new Map<Role, string>();
const sockets: Client[] = [];

beforeAll(async () => {
  const base = testConfig();
  fb = await startFloorboard({
    config: {
      ...base,
      port: 0,
      logLevel: 'silent',
      redis: { url: null, keyPrefix: `${uniqueName('socket-access')}:` },
      kafka: { ...base.kafka, brokers: [] },
      simulator: { ...base.simulator, enabled: false },
    },
    clock: systemClock,
    log: createLogger('silent'),
    localRedisUrl: `redis://127.0.0.1:${await freePort()}`,
    serveWeb: false,
  });
  for (const role of ROLES) {
    const teams = role === 'lead' ? ['sales'] : [];
    tokens.set(role, (await fb.access.tokens.create({ role, teams }, SYSTEM_ACTOR)).token);
  }
});
afterAll(async () => {
  for (const s of sockets) s.disconnect();
  await fb?.stop();
});

function open(opts: { token?: string; cookie?: string }): Client {
  const socket: Client = connect(fb.url, {
    transports: ['websocket'],
    reconnection: false,
    forceNew: true,
    auth: opts.token === undefined ? {} : { token: opts.token },
    ...(opts.cookie === undefined ? {} : { extraHeaders: { cookie: opts.cookie } }),
  });
  sockets.push(socket);
  return socket;
}

async function connected(socket: Client): Promise<Client> {
  if (socket.connected) return socket;
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('connect_error', reject);
  });
  return socket;
}

const disconnected = (socket: Client) => new Promise<string>((r) => socket.once('disconnect', r));

/** Sends `event` with an empty payload (none for resync) and returns the ack. */
function send(socket: Client, event: string): Promise<unknown> {
  const raw = socket as unknown as RawClient;
  return event === 'resync' ? raw.emitWithAck(event) : raw.emitWithAck(event, {});
}

async function signIn(username: string): Promise<string> {
  const res = await fetch(`${fb.url}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password: PASSWORD }),
  });
  expect(res.status).toBe(200);
  return res.headers.getSetCookie()[0]?.split(';')[0] ?? '';
}

describe('socket access control', () => {
  it('refuses a socket without credentials or with a bad token', async () => {
    for (const token of [undefined, 'fbt_not-a-real-token']) {
      const err = await connected(open({ token })).catch((e: Error) => e);
      expect(err).toMatchObject({ message: 'unauthorized' });
    }
  });

  it('answers forbidden to every role without the permission of each socket event', async () => {
    expect(SOCKET_EVENT_NAMES.length).toBeGreaterThanOrEqual(4);
    for (const role of ROLES) {
      const socket = await connected(open({ token: tokens.get(role) }));
      for (const event of SOCKET_EVENT_NAMES) {
        const ack = await send(socket, event);
        const { permission } = SOCKET_EVENTS[event];
        if (roleHas(role, permission)) {
          expect(ack, `${role} ${event}`).not.toMatchObject({ error: 'forbidden' });
          expect(ack, `${role} ${event}`).not.toMatchObject({ error: 'unauthorized' });
        } else expect(ack, `${role} ${event}`).toMatchObject({ error: 'forbidden' });
      }
      socket.disconnect();
    }
  });

  it('disconnects the sockets of a revoked token at once', async () => {
    const { name, token } = await fb.access.tokens.create(
      { role: 'wallboard', name: 'tv-hall' },
      SYSTEM_ACTOR,
    );
    const tv = await connected(open({ token }));
    expect(await tv.emitWithAck('subscribe', {})).toMatchObject({ seq: 0 });
    const gone = disconnected(tv);
    await fb.access.tokens.revoke(name, SYSTEM_ACTOR);
    expect(await gone).toBe('io server disconnect');
    const again = await connected(open({ token })).catch((e: Error) => e);
    expect(again).toMatchObject({ message: 'unauthorized' });
  });

  it('disconnects a removed user, and a signed-out session but not the same user’s other one', async () => {
    await fb.access.users.add(
      { name: 'rita', role: 'lead', teams: ['sales'], password: PASSWORD },
      SYSTEM_ACTOR,
    );
    const [first, second] = [await signIn('rita'), await signIn('rita')];
    const a = await connected(open({ cookie: first }));
    const b = await connected(open({ cookie: second }));
    const aGone = disconnected(a);
    const out = await fetch(`${fb.url}/api/v1/auth/logout`, {
      method: 'POST',
      headers: { cookie: first, origin: fb.url },
    });
    expect(out.status).toBe(204);
    expect(await aGone).toBe('io server disconnect');
    await new Promise((r) => setTimeout(r, 200));
    expect(b.connected).toBe(true);

    const bGone = disconnected(b);
    await fb.access.users.remove('rita', SYSTEM_ACTOR);
    expect(await bGone).toBe('io server disconnect');
  });

  it('lets the periodic re-check end a session that was ended elsewhere (another process)', async () => {
    await fb.access.users.add({ name: 'otto', role: 'supervisor', password: PASSWORD }, SYSTEM_ACTOR);
    const cookie = await signIn('otto');
    const socket = await connected(open({ cookie }));
    // As the CLI would: a store change this process is not told about.
    const store = fb.runtime.store;
    const tx = await store.begin();
    await tx.commit([{ op: 'del', kind: 'user', id: 'otto' }]);
    const gone = disconnected(socket);
    await fb.realtime.recheckAccess();
    expect(await gone).toBe('io server disconnect');
  });
});
