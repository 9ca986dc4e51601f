/** The realtime hub's types: what it needs (RealtimeHubDeps), what it offers (RealtimeHub), its stats. */
import type { IncomingHttpHeaders } from 'node:http';
import type { Server, Socket } from 'socket.io';
import type { Clock } from '../clock.ts';
import type { LiveSnapshot } from '../contract/api.ts';
import type { Principal } from '../contract/auth.ts';
import type {
  AcknowledgeRequest,
  ReassignItemResult,
  ReassignRequest,
  ReassignResponse,
} from '../contract/commands.ts';
import type {
  AlertEvent,
  ClientToServerEvents,
  InterServerEvents,
  ServerToClientEvents,
  SocketData,
} from '../contract/realtime.ts';
import type { ThresholdsResponse } from '../contract/ui.ts';
import type { SocketIdentity } from './socket-access.ts';
import type { QueueTeams } from './views.ts';

export type RealtimeServer = Server<
  ClientToServerEvents,
  ServerToClientEvents,
  InterServerEvents,
  SocketData
>;
export type RealtimeSocket = Socket<
  ClientToServerEvents,
  ServerToClientEvents,
  InterServerEvents,
  SocketData
>;

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
  /** Coalescing period (config `realtime.flushMs`), 100–250 ms; default 100. */
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
  /** Told the phases of each flush that reads the floor (benchmarks break push latency down with it). */
  trace?: HubTrace;
  /** The run-time settings (server/settings): what `settings` pushes, and their refresh. */
  settings?: HubSettings;
  /** When a socket that does not read its output is skipped (backpressure.ts); defaults there. */
  slowClients?: { maxWaitMs?: number; maxBytes?: number };
}

/** The settings the hub pushes to clients. */
export interface HubSettings {
  /** The wallboard thresholds in force on this instance. */
  thresholds(): ThresholdsResponse;
  /** Re-reads the shared settings now (another instance changed them). */
  refresh(): Promise<void>;
}

/** Phases of a flush that reads the floor; each call happens as the phase begins or ends. */
export interface HubTrace {
  readStarted(): void;
  readDone(): void;
  /** After the flush's deltas were handed to Socket.IO (`rooms` of them; 0: nothing changed). */
  emitted(rooms: number): void;
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
  /** Sockets skipped as too slow at the last flush, and how many times one fell behind so far. */
  slowClients: { behind: number; fellBehind: number };
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
  /**
   * Pushes the settings in force to this instance's sockets (they changed here); with `announce`, also
   * tells the other instances to re-read theirs (they then push them to their own sockets).
   */
  pushSettings(opts: { announce: boolean }): void;
  /** Re-checks every socket's credentials now (normally every `recheckMs`). */
  recheckAccess(): Promise<void>;
  stats(): RealtimeHubStats;
  /** Stops flushing, disconnects every client, closes the Socket.IO server and the adapter's Redis. */
  stop(): Promise<void>;
}
