/**
 * Access control of the socket command surface. Every client→server event is declared once in
 * `SOCKET_EVENTS` with the permission it needs; the hub registers handlers from this table only, the
 * compiler requires an entry for every event of `ClientToServerEvents`, and a test walks the table
 * with every role. A socket's principal is not trusted for the connection's lifetime: it is
 * re-checked before every event and every `recheckMs`, so a revoked token, a removed user or a
 * signed-out session loses its live connections.
 */
import type { SocketIdentity } from '../auth/authenticator.ts';
import type { Permission } from '../auth/permissions.ts';
import type { Principal } from '../contract/auth.ts';
import type { ClientToServerEvents } from '../contract/realtime.ts';

export type { SocketIdentity } from '../auth/authenticator.ts';

/** Every client→server event and the permission it needs (checked before its handler runs). */
export const SOCKET_EVENTS = {
  subscribe: { permission: 'live:view' },
  resync: { permission: 'live:view' },
  reassign: { permission: 'tickets:reassign' },
  acknowledge: { permission: 'alerts:acknowledge' },
} as const satisfies { [E in keyof ClientToServerEvents]: { permission: Permission } };

export type SocketEvent = keyof ClientToServerEvents;

/** The event names of `SOCKET_EVENTS`, in declaration order. */
export const SOCKET_EVENT_NAMES = Object.keys(SOCKET_EVENTS) as SocketEvent[];

/** How often every connected socket's credentials are checked again (default of the hub). */
export const DEFAULT_RECHECK_MS = 30_000;

/** The socket fields the watch uses. */
export interface WatchedSocket {
  data: { principal: Principal };
  disconnect(close?: boolean): unknown;
}

/** Whether two principals are the same one with the same role and scope. */
export function samePrincipal(a: Principal, b: Principal): boolean {
  return (
    a.kind === b.kind &&
    a.name === b.name &&
    a.role === b.role &&
    a.teams.length === b.teams.length &&
    a.teams.every((t, i) => b.teams[i] === t)
  );
}

export interface AccessWatch<S extends WatchedSocket> {
  /** Remembers how to re-check `socket` (at connection). */
  track(socket: S, identity: SocketIdentity): void;
  /**
   * The socket's principal now, or null when its access ended: the caller answers, then `end`s it. A
   * changed role or scope also ends it (rooms and views were set up for the old one). Rejects when
   * the credentials cannot be checked (store unreachable).
   */
  current(socket: S): Promise<Principal | null>;
  /** Disconnects a socket whose access ended. */
  end(socket: S, why: string): void;
  /** Re-checks every socket of `sockets()` once (credentials shared by several sockets are read once). */
  sweep(): Promise<void>;
  stop(): void;
}

/** Starts the periodic re-check over `sockets()`. */
export function createAccessWatch<S extends WatchedSocket>(deps: {
  sockets: () => Iterable<S>;
  recheckMs: number;
  log: { info(obj: object, msg?: string): void; warn(obj: object, msg?: string): void };
}): AccessWatch<S> {
  const identities = new WeakMap<S, SocketIdentity>();
  let sweeping: Promise<void> | null = null;
  let failing = false;

  function end(socket: S, why: string): void {
    deps.log.info({ principal: socket.data.principal.name, why }, 'access ended: socket disconnected');
    socket.disconnect(true);
  }

  async function current(socket: S): Promise<Principal | null> {
    const identity = identities.get(socket);
    if (!identity) return null;
    const now = await identity.recheck();
    return now !== null && samePrincipal(now, socket.data.principal) ? now : null;
  }

  async function sweepOnce(): Promise<void> {
    const groups = new Map<string, { identity: SocketIdentity; sockets: S[] }>();
    for (const socket of deps.sockets()) {
      const identity = identities.get(socket);
      if (!identity) continue;
      const key = identity.rooms.join(' ');
      const g = groups.get(key) ?? { identity, sockets: [] };
      g.sockets.push(socket);
      groups.set(key, g);
    }
    let failed = 0;
    await Promise.all(
      [...groups.values()].map(async ({ identity, sockets }) => {
        let now: Principal | null;
        try {
          now = await identity.recheck();
        } catch {
          failed++; // keep the sockets: a store outage is not a revocation
          return;
        }
        for (const s of sockets) {
          if (now === null) end(s, 'credentials no longer valid');
          else if (!samePrincipal(now, s.data.principal)) end(s, 'role or teams changed');
        }
      }),
    );
    if (failed > 0 && !failing) deps.log.warn({ failed }, 'cannot re-check socket credentials; will retry');
    failing = failed > 0;
  }

  const timer = setInterval(() => {
    if (sweeping) return;
    sweeping = sweepOnce().finally(() => {
      sweeping = null;
    });
  }, deps.recheckMs);
  timer.unref();

  return {
    track: (socket, identity) => void identities.set(socket, identity),
    current,
    end,
    sweep: () => (sweeping ??= sweepOnce().finally(() => (sweeping = null))),
    stop: () => clearInterval(timer),
  };
}
