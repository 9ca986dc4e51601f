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
 *
 * Settings: every socket that may view the floor gets the wallboard thresholds on connecting and
 * again whenever they change (`pushSettings`); a change made here is announced to the other
 * instances, which re-read the settings at once and push them to their own sockets.
 *
 * Slow clients (backpressure.ts): a socket that does not read what is sent to it gets no deltas
 * until it has, then re-syncs with a snapshot; nobody else waits for it.
 */
import { z } from 'zod';
import { can } from '../auth/permissions.ts';
import { forbiddenMessage } from '../http/guard.ts';
import type { LiveSnapshot } from '../contract/api.ts';
import type { Principal } from '../contract/auth.ts';
import { acknowledgeRequest, reassignRequest, type ReassignResponse } from '../contract/commands.ts';
import {
  subscribeRequest,
  type AlertEvent,
  type DeltaEvent,
  type ErrorAck,
  type LiveView,
  type RealtimeErrorCode,
  type SettingsEvent,
  type SnapshotEvent,
} from '../contract/realtime.ts';
import { attachRedisAdapter } from './adapter.ts';
import { createBackpressure } from './backpressure.ts';
import type { HubLog, RealtimeHub, RealtimeHubDeps, RealtimeSocket } from './hub-types.ts';
import {
  createAccessWatch,
  DEFAULT_RECHECK_MS,
  SOCKET_EVENT_NAMES,
  SOCKET_EVENTS,
  type SocketEvent,
} from './socket-access.ts';
import { diffSnapshots, filterSnapshot, resolveView, viewKey } from './views.ts';

export type {
  HubCommands,
  HubLog,
  HubSettings,
  HubTrace,
  RealtimeHub,
  RealtimeHubDeps,
  RealtimeHubStats,
  RealtimeServer,
} from './hub-types.ts';

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
/** Every socket that may view the floor (it gets the settings). */
const SETTINGS_ROOM = 'settings';
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

/** Starts the hub on `io` (authentication middleware, handlers, flush timer). */
export async function createRealtimeHub(deps: RealtimeHubDeps): Promise<RealtimeHub> {
  const { io, clock, log, queueTeams } = deps;
  const flushMs = deps.flushMs ?? 100;
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
  const slow = createBackpressure({
    sockets: () => nsp.sockets.values(),
    log,
    ...(deps.slowClients?.maxWaitMs === undefined ? {} : { maxWaitMs: deps.slowClients.maxWaitMs }),
    ...(deps.slowClients?.maxBytes === undefined ? {} : { maxBytes: deps.slowClients.maxBytes }),
  });
  const settingsEvent = (): SettingsEvent | null =>
    deps.settings ? { thresholds: deps.settings.thresholds(), serverTime: clock.now() } : null;
  /** A socket too slow to take a snapshot now is told to ask again later (its client retries). */
  const behind = (socket: RealtimeSocket): ErrorAck | null =>
    slow.isBehind(socket.id)
      ? fail('unavailable', 'this connection has not read what was sent to it yet; ask again shortly')
      : null;

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

  /** This instance's sockets in `room`, but those in `skip` (sockets too slow to send to now). */
  const toRoom = (room: string, skip: string[]) =>
    skip.length === 0 ? io.local.to(room) : io.local.to(room).except(skip);

  /** Emits one delta per changed room from one read of the floor (not to the sockets in `skip`). */
  async function flushChanges(skip: string[]): Promise<void> {
    const since = dirtySince;
    dirty = false;
    dirtySince = null;
    const startedAt = clock.now();
    let result: { gen: number; snap: LiveSnapshot };
    deps.trace?.readStarted();
    try {
      result = await read();
    } catch (err) {
      dirty = true;
      dirtySince = since ?? startedAt;
      if (healthy) log.warn({ err: (err as Error).message }, 'cannot read the live state; clients go stale');
      healthy = false;
      return;
    }
    deps.trace?.readDone();
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
      toRoom(room.key, skip).emit('delta', delta);
      emitted++;
    }
    deps.trace?.emitted(emitted);
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
    const skip = slow.check(started);
    if (dirty || !healthy || started - lastReadAt >= refreshMs) await flushChanges(skip);
    if (!healthy || stopped) return;
    const now = clock.now();
    for (const room of rooms.values()) {
      if (room.last === null || now - room.lastEmitAt < heartbeatMs) continue;
      room.last = { ...room.last, serverTime: now };
      room.lastEmitAt = now;
      toRoom(room.key, skip).emit('delta', {
        seq: room.seq,
        prevSeq: room.seq,
        serverTime: now,
        changes: {},
      });
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
    const refused = behind(socket);
    if (refused) return reply?.(refused);
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
    const refused = behind(socket);
    if (refused) {
      reply?.(refused);
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
    const viewer = can(p, 'live:view');
    void socket.join([
      ...(pendingRooms.get(socket) ?? []),
      ...(viewer ? [...scopeRooms(p), SETTINGS_ROOM] : []),
    ]);
    pendingRooms.delete(socket);
    // The settings in force now: a board that was away may have missed a change.
    const settings = settingsEvent();
    if (viewer && settings) socket.emit('settings', settings);
    if (can(p, 'alerts:acknowledge')) void socket.join(alertRooms(p));
    const on = socket.on.bind(socket) as (event: string, fn: (...args: unknown[]) => void) => void;
    for (const event of SOCKET_EVENT_NAMES) {
      on(event, (...args: unknown[]) => {
        const { payload, reply } = split(args);
        guard(event, reply, dispatch(socket, event, payload, reply));
      });
    }
    socket.on('disconnect', () => {
      leaveRoom(socket);
      slow.forget(socket.id);
    });
  });

  io.on('dirty', () => {
    if (!stopped) markChanged();
  });
  // Another instance changed the settings: re-read them now (the refresh pushes them if they changed).
  io.on('settings', () => {
    if (stopped || !deps.settings) return;
    deps.settings
      .refresh()
      .catch((err: Error) => log.warn({ err: err.message }, 'cannot re-read the changed settings'));
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
    pushSettings({ announce }) {
      if (stopped) return;
      const e = settingsEvent();
      if (e) io.local.to(SETTINGS_ROOM).emit('settings', e);
      if (!announce || !cluster) return;
      try {
        io.serverSideEmit('settings');
      } catch (err) {
        log.warn({ err: (err as Error).message }, 'cannot announce a settings change to the other instances');
      }
    },
    recheckAccess: () => access.sweep(),
    stats: () => ({
      sockets: nsp.sockets.size,
      rooms: rooms.size,
      flushes: counters.flushes,
      lastFlushMs: counters.lastFlushMs,
      lastPushLatencyMs: counters.lastPushLatencyMs,
      healthy,
      slowClients: slow.stats(),
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
