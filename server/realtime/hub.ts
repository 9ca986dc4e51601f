/**
 * The live push hub on a Socket.IO server. Clients subscribe to a view (teams and/or queues; one room
 * per distinct view) and get a snapshot, then coalesced deltas with sequence numbers: every flush tick
 * (100–250 ms), if something changed, the floor is read once and each room gets one delta against
 * its previous snapshot. A room with nothing to send gets a heartbeat (an empty delta, `seq ===
 * prevSeq`) every `heartbeatMs`, but only while reads succeed, so clients can tell quiet from stale.
 *
 * Several instances: each serves its own sockets from the shared Redis state (`io.local` emits,
 * per-instance sequence numbers; a reconnect always starts with a snapshot, never with Socket.IO
 * connection state recovery). With `redisUrl` the Socket.IO Redis adapter connects the instances:
 * `markDirty()` is announced to the others (`serverSideEmit('dirty')`, at most once per flush), and
 * alerts and `reassigned` notices are broadcast once cluster-wide to the rooms of the principals in
 * scope.
 *
 * Access: client→server events are registered from `SOCKET_EVENTS` (socket-access.ts), each behind its
 * permission, and a socket's credentials are re-checked before every event and periodically; ending
 * access (`cutAccess`) disconnects the subject's sockets on every instance.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { createAdapter } from '@socket.io/redis-adapter';
import { Redis } from 'ioredis';
import type { Server, Socket } from 'socket.io';
import { z } from 'zod';
import { can } from '../auth/permissions.ts';
import { forbiddenMessage } from '../http/guard.ts';
import type { Clock } from '../clock.ts';
import type { LiveSnapshot } from '../contract/api.ts';
import type { Principal } from '../contract/auth.ts';
import {
  acknowledgeRequest,
  reassignRequest,
  type AcknowledgeRequest,
  type ReassignItemResult,
  type ReassignRequest,
  type ReassignResponse,
} from '../contract/commands.ts';
import {
  subscribeRequest,
  type AlertEvent,
  type ClientToServerEvents,
  type DeltaEvent,
  type ErrorAck,
  type InterServerEvents,
  type LiveView,
  type RealtimeErrorCode,
  type ServerToClientEvents,
  type SnapshotEvent,
  type SocketData,
} from '../contract/realtime.ts';
import { redactRedisUrl } from '../store/redis-store.ts';
import {
  createAccessWatch,
  DEFAULT_RECHECK_MS,
  SOCKET_EVENT_NAMES,
  SOCKET_EVENTS,
  type SocketEvent,
  type SocketIdentity,
} from './socket-access.ts';
import { diffSnapshots, filterSnapshot, resolveView, viewKey, type QueueTeams } from './views.ts';

export type RealtimeServer = Server<
  ClientToServerEvents,
  ServerToClientEvents,
  InterServerEvents,
  SocketData
>;
type RealtimeSocket = Socket<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>;

export interface HubLog {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

/**
 * The operator commands sockets may call (server/commands). Errors with a 4xx `status` become acks.
 * `reassign` tells clients itself (through `notifyReassigned`), as the REST route's does.
 */
export interface HubCommands {
  reassign(p: Principal, r: ReassignRequest): Promise<ReassignResponse>;
  acknowledge(p: Principal, r: AcknowledgeRequest): Promise<void>;
}

export interface RealtimeHubDeps {
  /** A Socket.IO server the hub owns from now on: `stop()` closes it (and the HTTP server under it). */
  io: RealtimeServer;
  /** The whole floor now (server/read/live.ts via the runtime). */
  readLive: () => Promise<LiveSnapshot>;
  clock: Clock;
  log: HubLog;
  /** Queue name → owning team (config `queueTeams`). */
  queueTeams: QueueTeams;
  /** Who is behind a handshake (the auth module's `authenticateHandshake`), or null. */
  authenticate: (
    headers: IncomingHttpHeaders,
    auth: Record<string, unknown>,
  ) => Promise<SocketIdentity | null>;
  /** How often every socket's credentials are checked again; default 30 s. */
  recheckMs?: number;
  commands: HubCommands;
  /** Coalescing period (config `realtime.flushMs`), 100–250 ms; default 200. */
  flushMs?: number;
  /** Longest quiet time before a heartbeat, at most 2000 ms; default 1000. */
  heartbeatMs?: number;
  /**
   * The floor is re-read at least this often even when nothing was marked dirty, so changes caused
   * by time alone (a ticket turning overdue, a new shift, the rolling window) reach clients; default 1000.
   */
  refreshMs?: number;
  /** Redis for the Socket.IO adapter (pub/sub between instances); null or absent: single instance. */
  redisUrl?: string | null;
  /** Pub/sub channel prefix of the adapter; instances sharing it form one cluster. Default `socket.io`. */
  channelPrefix?: string;
  /** Observes seconds from the first change of a flush being marked to its deltas being emitted. */
  pushLatency?: { observe(seconds: number): void };
}

export interface RealtimeHubStats {
  /** Sockets connected to this instance. */
  sockets: number;
  /** Distinct views with subscribers on this instance. */
  rooms: number;
  flushes: number;
  /** How long the last flush took (read, filter, diff, emit). */
  lastFlushMs: number;
  /** Last change-to-emit latency, or null before the first delta. */
  lastPushLatencyMs: number | null;
  /** Whether the last read of the live state succeeded. */
  healthy: boolean;
}

export interface RealtimeHub {
  /** Something changed in the live state (this instance applied a batch or a command). */
  markDirty(): void;
  /** Pushes an escalation alert to the supervisors in scope of its team, on every instance, once. */
  pushAlert(alert: AlertEvent): void;
  /** Tells everyone in scope, on every instance, which tickets `by` reassigned to `agentId`. */
  notifyReassigned(by: string, agentId: string, results: readonly ReassignItemResult[]): void;
  /** Disconnects, on every instance, the sockets in access room `room` (server/auth `accessRoom`). */
  cutAccess(room: string): void;
  /** Re-checks every socket's credentials now (normally every `recheckMs`). */
  recheckAccess(): Promise<void>;
  stats(): RealtimeHubStats;
  /** Stops flushing, disconnects every client, closes the Socket.IO server and the adapter's Redis. */
  stop(): Promise<void>;
}

interface Room {
  key: string;
  view: LiveView;
  /** Sequence number of `last`. */
  seq: number;
  /** The view's snapshot as last sent (deltas are computed against it); null while loading. */
  last: LiveSnapshot | null;
  /** Which read `last` came from (a flush never applies an older read over a newer one). */
  gen: number;
  lastEmitAt: number;
  /** Subscribes in progress: a room being loaded for its first member is not dropped as empty. */
  pending: number;
  loading: Promise<void> | null;
}

type Reply<T> = (res: T) => void;

const ALL = '*';
const alertRooms = (p: Principal) =>
  p.teams.length === 0 ? [`alerts:${ALL}`] : p.teams.map((t) => `alerts:team:${t}`);
const scopeRooms = (p: Principal) =>
  p.teams.length === 0 ? [`scope:${ALL}`] : p.teams.map((t) => `scope:team:${t}`);
/** Rooms of everyone in scope of `team` (scoped principals of that team and unscoped ones). */
const roomsFor = (kind: 'alerts' | 'scope', team: string | null) =>
  team === null ? [`${kind}:${ALL}`] : [`${kind}:${ALL}`, `${kind}:team:${team}`];

const fail = (error: RealtimeErrorCode, message: string): ErrorAck => ({ error, message });

/** Maps a command's error to an ack: 4xx statuses say what was wrong, anything else is logged. */
function commandFailure(err: unknown, log: HubLog, what: string): ErrorAck {
  const status = (err as { status?: unknown } | null)?.status;
  const message = err instanceof Error ? err.message : String(err);
  if (status === 400) return fail('bad_request', message);
  if (status === 403) return fail('forbidden', message);
  if (status === 404) return fail('not_found', message);
  if (status === 409) return fail('conflict', message);
  log.error({ err: message }, `${what} failed`);
  return fail('unavailable', `${what} failed on the server; try again`);
}

/** Connects the Socket.IO Redis adapter with a pub and a duplicated sub client; returns both. */
async function attachRedisAdapter(
  io: RealtimeServer,
  url: string,
  key: string,
  log: HubLog,
): Promise<Redis[]> {
  // Commands wait for a reconnect rather than fail: the adapter publishes without catching errors.
  const pub = new Redis(url, {
    lazyConnect: true,
    maxRetriesPerRequest: null,
    connectTimeout: 3000,
    retryStrategy: (times) => Math.min(100 * times, 2000),
  });
  const sub = pub.duplicate();
  const clients = [pub, sub];
  for (const c of clients) {
    let down = false;
    c.on('error', (err: Error) => {
      if (!down) log.warn({ err: err.message }, 'Socket.IO adapter lost Redis; reconnecting');
      down = true;
    });
    c.on('ready', () => (down = false));
  }
  try {
    await Promise.all(clients.map((c) => c.connect()));
    io.adapter(createAdapter(pub, sub, { key }));
    await sub.ping(); // replies after the adapter's SUBSCRIBEs: other instances now reach this one
  } catch (err) {
    for (const c of clients) c.disconnect();
    throw new Error(
      `cannot connect the Socket.IO Redis adapter to ${redactRedisUrl(url)}: ${(err as Error).message}`,
    );
  }
  return clients;
}

/** Starts the hub on `io` (authentication middleware, handlers, flush timer). */
export async function createRealtimeHub(deps: RealtimeHubDeps): Promise<RealtimeHub> {
  const { io, clock, log, queueTeams } = deps;
  const flushMs = deps.flushMs ?? 200;
  const heartbeatMs = deps.heartbeatMs ?? 1000;
  const refreshMs = deps.refreshMs ?? 1000;
  if (!(flushMs >= 100 && flushMs <= 250))
    throw new Error(`realtime.flushMs must be 100–250, not ${flushMs}`);
  if (!(heartbeatMs > 0 && heartbeatMs <= 2000))
    throw new Error(`heartbeatMs must be 1–2000, not ${heartbeatMs}`);
  if (!(refreshMs > 0)) throw new Error(`refreshMs must be positive, not ${refreshMs}`);

  const adapterClients = deps.redisUrl
    ? await attachRedisAdapter(io, deps.redisUrl, deps.channelPrefix ?? 'socket.io', log)
    : [];
  const cluster = adapterClients.length > 0;
  const nsp = io.of('/');

  const rooms = new Map<string, Room>();
  let dirty = false;
  let dirtySince: number | null = null;
  let notifyPending = false;
  let lastNotifyAt = Number.NEGATIVE_INFINITY;
  let readGen = 0;
  let latest: { gen: number; at: number; snap: LiveSnapshot } | null = null;
  let lastReadAt = Number.NEGATIVE_INFINITY;
  let healthy = true;
  let flushing: Promise<void> | null = null;
  let stopped = false;
  const counters = { flushes: 0, lastFlushMs: 0, lastPushLatencyMs: null as number | null };

  const members = (room: string) => nsp.adapter.rooms.get(room)?.size ?? 0;

  function dropIfEmpty(key: string): void {
    const room = rooms.get(key);
    if (room && room.pending === 0 && members(key) === 0) rooms.delete(key);
  }

  function markChanged(): void {
    dirty = true;
    dirtySince ??= clock.now();
    latest = null; // a new room must not start from a read older than this change
  }

  function announce(): void {
    notifyPending = false;
    lastNotifyAt = clock.now();
    try {
      io.serverSideEmit('dirty');
    } catch (err) {
      log.warn({ err: (err as Error).message }, 'cannot announce a change to the other instances');
    }
  }

  async function read(): Promise<{ gen: number; snap: LiveSnapshot }> {
    const gen = ++readGen;
    const at = clock.now();
    const snap = await deps.readLive();
    if (latest === null || gen > latest.gen) latest = { gen, at, snap };
    return { gen, snap };
  }

  /** Gives a new room its first snapshot (a recent read if there is one, else a fresh one). */
  async function ensureLoaded(room: Room): Promise<void> {
    if (room.last !== null) return;
    room.loading ??= (async () => {
      const recent = latest !== null && clock.now() - latest.at <= refreshMs ? latest : await read();
      if (room.last === null) {
        room.last = filterSnapshot(recent.snap, room.view, queueTeams);
        room.gen = recent.gen;
        room.lastEmitAt = clock.now();
      }
    })().finally(() => {
      room.loading = null;
    });
    await room.loading;
  }

  const snapshotOf = (room: Room, last: LiveSnapshot): SnapshotEvent => ({
    seq: room.seq,
    view: room.view,
    data: last,
    serverTime: clock.now(),
  });

  function sendSnapshot(
    socket: RealtimeSocket,
    reply: Reply<SnapshotEvent | ErrorAck> | null,
    e: SnapshotEvent,
  ) {
    if (reply) reply(e);
    else socket.emit('snapshot', e);
  }

  /** Emits one delta per changed room from one read of the floor. */
  async function flushChanges(): Promise<void> {
    const since = dirtySince;
    dirty = false;
    dirtySince = null;
    const startedAt = clock.now();
    let result: { gen: number; snap: LiveSnapshot };
    try {
      result = await read();
    } catch (err) {
      dirty = true;
      dirtySince = since ?? startedAt;
      if (healthy) log.warn({ err: (err as Error).message }, 'cannot read the live state; clients go stale');
      healthy = false;
      return;
    }
    if (!healthy) log.info({}, 'live state readable again; pushing updates');
    healthy = true;
    lastReadAt = startedAt;
    if (stopped) return;
    const now = clock.now();
    let emitted = 0;
    for (const room of rooms.values()) {
      if (room.last === null || room.gen > result.gen) continue;
      const next = filterSnapshot(result.snap, room.view, queueTeams);
      const d = diffSnapshots(room.last, next);
      room.gen = result.gen;
      if (d === null) {
        room.last = { ...room.last, serverTime: next.serverTime };
        continue;
      }
      const delta: DeltaEvent = { seq: room.seq + 1, prevSeq: room.seq, ...d };
      room.seq = delta.seq;
      room.last = next;
      room.lastEmitAt = now;
      io.local.to(room.key).emit('delta', delta);
      emitted++;
    }
    if (emitted > 0 && since !== null) {
      counters.lastPushLatencyMs = now - since;
      deps.pushLatency?.observe((now - since) / 1000);
    }
  }

  async function flush(): Promise<void> {
    const started = clock.now();
    if (notifyPending) announce();
    for (const key of [...rooms.keys()]) dropIfEmpty(key);
    if (rooms.size === 0) {
      dirty = false;
      dirtySince = null;
      return;
    }
    if (dirty || !healthy || started - lastReadAt >= refreshMs) await flushChanges();
    if (!healthy || stopped) return;
    const now = clock.now();
    for (const room of rooms.values()) {
      if (room.last === null || now - room.lastEmitAt < heartbeatMs) continue;
      room.last = { ...room.last, serverTime: now };
      room.lastEmitAt = now;
      io.local.to(room.key).emit('delta', { seq: room.seq, prevSeq: room.seq, serverTime: now, changes: {} });
    }
    counters.flushes++;
    counters.lastFlushMs = clock.now() - started;
  }

  const timer = setInterval(() => {
    if (flushing || stopped) return;
    flushing = flush()
      .catch((err: Error) => log.error({ err: err.message }, 'realtime flush failed'))
      .finally(() => {
        flushing = null;
      });
  }, flushMs);

  // ---- connections ----

  const access = createAccessWatch<RealtimeSocket>({
    sockets: () => nsp.sockets.values(),
    recheckMs: deps.recheckMs ?? DEFAULT_RECHECK_MS,
    log,
  });
  /** Access rooms to join once connected (joining inside the middleware is not supported). */
  const pendingRooms = new WeakMap<RealtimeSocket, string[]>();

  io.use((socket, next) => {
    if (stopped) {
      next(new Error('unavailable'));
      return;
    }
    const auth = (socket.handshake.auth ?? {}) as Record<string, unknown>;
    deps.authenticate(socket.handshake.headers, auth).then(
      (identity) => {
        if (!identity) {
          next(new Error('unauthorized'));
          return;
        }
        socket.data.principal = identity.principal;
        socket.data.room = null;
        access.track(socket, identity);
        pendingRooms.set(socket, identity.rooms);
        next();
      },
      (err: Error) => {
        log.warn({ err: err.message }, 'cannot authenticate a socket');
        next(new Error('unavailable'));
      },
    );
  });

  function leaveRoom(socket: RealtimeSocket): void {
    const key = socket.data.room;
    if (key === null) return;
    socket.data.room = null;
    void socket.leave(key);
    dropIfEmpty(key);
  }

  async function subscribe(
    socket: RealtimeSocket,
    raw: unknown,
    reply: Reply<SnapshotEvent | ErrorAck> | null,
  ): Promise<void> {
    const p = socket.data.principal;
    const parsed = subscribeRequest.safeParse(raw ?? {});
    if (!parsed.success) return reply?.(fail('bad_request', z.prettifyError(parsed.error)));
    const resolved = resolveView(p, parsed.data, queueTeams);
    if (!resolved.ok) return reply?.(fail('forbidden', resolved.message));
    const key = viewKey(resolved.view);
    let room = rooms.get(key);
    if (!room) {
      room = {
        key,
        view: resolved.view,
        seq: 0,
        last: null,
        gen: 0,
        lastEmitAt: 0,
        pending: 0,
        loading: null,
      };
      rooms.set(key, room);
    }
    room.pending++;
    try {
      await ensureLoaded(room);
    } catch (err) {
      log.warn({ err: (err as Error).message }, 'cannot read the live state for a subscriber');
      return reply?.(fail('unavailable', 'the live state cannot be read right now; try again'));
    } finally {
      room.pending--;
    }
    if (!socket.connected || stopped || room.last === null) return dropIfEmpty(key);
    // From here to the reply nothing awaits: the snapshot is exactly the base of the room's next delta.
    if (socket.data.room !== key) {
      leaveRoom(socket);
      void socket.join(key);
      socket.data.room = key;
    }
    rooms.set(key, room);
    sendSnapshot(socket, reply, snapshotOf(room, room.last));
  }

  function resync(socket: RealtimeSocket, reply: Reply<SnapshotEvent | ErrorAck> | null): void {
    const key = socket.data.room;
    const room = key === null ? undefined : rooms.get(key);
    if (!room || room.last === null) {
      reply?.(fail('not_subscribed', 'send subscribe first'));
      return;
    }
    sendSnapshot(socket, reply, snapshotOf(room, room.last));
  }

  async function reassign(socket: RealtimeSocket, raw: unknown): Promise<ReassignResponse | ErrorAck> {
    const p = socket.data.principal;
    const parsed = reassignRequest.safeParse(raw);
    if (!parsed.success) return fail('bad_request', z.prettifyError(parsed.error));
    let res: ReassignResponse;
    try {
      res = await deps.commands.reassign(p, parsed.data);
    } catch (err) {
      return commandFailure(err, log, 'reassignment');
    }
    if (res.results.some((r) => r.status === 'ok')) hub.markDirty();
    return res;
  }

  async function acknowledge(socket: RealtimeSocket, raw: unknown): Promise<{ ok: true } | ErrorAck> {
    const p = socket.data.principal;
    const parsed = acknowledgeRequest.safeParse(raw);
    if (!parsed.success) return fail('bad_request', z.prettifyError(parsed.error));
    try {
      await deps.commands.acknowledge(p, parsed.data);
    } catch (err) {
      return commandFailure(err, log, 'acknowledging the alert');
    }
    return { ok: true };
  }

  /** Splits untrusted handler arguments into a payload and an ack callback (either may be missing). */
  function split(args: unknown[]): { payload: unknown; reply: Reply<unknown> | null } {
    const last = args[args.length - 1];
    const reply = typeof last === 'function' ? (last as Reply<unknown>) : null;
    return { payload: reply && args.length === 1 ? undefined : args[0], reply };
  }

  function guard(what: string, reply: Reply<unknown> | null, work: Promise<void>): void {
    work.catch((err: Error) => {
      log.error({ err: err.message }, `socket ${what} failed`);
      reply?.(fail('unavailable', `${what} failed on the server; try again`));
    });
  }

  /** The handler of each event of SOCKET_EVENTS, run after its permission check passed. */
  const handlers: {
    [E in SocketEvent]: (
      socket: RealtimeSocket,
      payload: unknown,
      reply: Reply<unknown> | null,
    ) => Promise<void>;
  } = {
    subscribe: (socket, payload, reply) => subscribe(socket, payload, reply),
    resync: async (socket, _payload, reply) => resync(socket, reply),
    reassign: async (socket, payload, reply) => reply?.(await reassign(socket, payload)),
    acknowledge: async (socket, payload, reply) => reply?.(await acknowledge(socket, payload)),
  };

  /** Re-checks the socket's credentials and the event's permission, then runs its handler. */
  async function dispatch(
    socket: RealtimeSocket,
    event: SocketEvent,
    payload: unknown,
    reply: Reply<unknown> | null,
  ): Promise<void> {
    let p: Principal | null;
    try {
      p = await access.current(socket);
    } catch (err) {
      log.warn({ err: (err as Error).message }, 'cannot re-check socket credentials');
      reply?.(fail('unavailable', 'cannot check your credentials now; try again shortly'));
      return;
    }
    if (p === null) {
      reply?.(fail('unauthorized', 'your access was revoked or has ended; sign in again'));
      access.end(socket, 'credentials no longer valid');
      return;
    }
    const { permission } = SOCKET_EVENTS[event];
    if (!can(p, permission)) {
      reply?.(fail('forbidden', forbiddenMessage(p, permission)));
      return;
    }
    await handlers[event](socket, payload, reply);
  }

  io.on('connection', (socket) => {
    const p = socket.data.principal;
    // Notices go to principals who may see the floor (not, say, a metrics token).
    void socket.join([...(pendingRooms.get(socket) ?? []), ...(can(p, 'live:view') ? scopeRooms(p) : [])]);
    pendingRooms.delete(socket);
    if (can(p, 'alerts:acknowledge')) void socket.join(alertRooms(p));
    const on = socket.on.bind(socket) as (event: string, fn: (...args: unknown[]) => void) => void;
    for (const event of SOCKET_EVENT_NAMES) {
      on(event, (...args: unknown[]) => {
        const { payload, reply } = split(args);
        guard(event, reply, dispatch(socket, event, payload, reply));
      });
    }
    socket.on('disconnect', () => leaveRoom(socket));
  });

  io.on('dirty', () => {
    if (!stopped) markChanged();
  });

  const hub: RealtimeHub = {
    markDirty() {
      if (stopped) return;
      markChanged();
      if (!cluster) return;
      if (clock.now() - lastNotifyAt >= flushMs) announce();
      else notifyPending = true;
    },
    pushAlert(alert) {
      if (stopped) return;
      const e: AlertEvent = {
        ...(alert.level === undefined ? {} : { level: alert.level }),
        ticketId: alert.ticketId,
        deadline: alert.deadline,
        due: alert.due,
        team: alert.team,
        subject: alert.subject,
        tier: alert.tier,
        ...(alert.priority === undefined ? {} : { priority: alert.priority }),
        ...(alert.agentId === undefined ? {} : { agentId: alert.agentId }),
        ...(alert.escalatedAt === undefined ? {} : { escalatedAt: alert.escalatedAt }),
      };
      io.to(roomsFor('alerts', alert.team)).emit('alert', e);
    },
    notifyReassigned(by, agentId, results) {
      if (stopped) return;
      const byTeam = new Map<string | null, Array<{ ticketId: string; version: number }>>();
      for (const r of results) {
        if (r.status !== 'ok') continue;
        const list = byTeam.get(r.ticket.team) ?? [];
        list.push({ ticketId: r.ticketId, version: r.ticket.version });
        byTeam.set(r.ticket.team, list);
      }
      const at = clock.now();
      for (const [team, tickets] of byTeam) {
        io.to(roomsFor('scope', team)).emit('reassigned', { by, agentId, team, tickets, at });
      }
    },
    cutAccess(room) {
      if (stopped) return;
      io.in(room).disconnectSockets(true);
    },
    recheckAccess: () => access.sweep(),
    stats: () => ({
      sockets: nsp.sockets.size,
      rooms: rooms.size,
      flushes: counters.flushes,
      lastFlushMs: counters.lastFlushMs,
      lastPushLatencyMs: counters.lastPushLatencyMs,
      healthy,
    }),
    async stop() {
      if (stopped) return;
      stopped = true;
      clearInterval(timer);
      access.stop();
      await flushing;
      rooms.clear();
      await io.close();
      await Promise.all(adapterClients.map((c) => c.quit().catch(() => c.disconnect())));
    },
  };
  return hub;
}
