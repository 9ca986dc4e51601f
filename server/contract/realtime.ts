/**
 * The Socket.IO contract of the live push server (server/realtime/hub.ts) and its client
 * (server/realtime/client.ts): event names, payloads, acks, and the zod schemas every client→server
 * payload is validated with.
 *
 * Protocol: after connecting, a client sends `subscribe` and gets a full snapshot of its view (with
 * the view's sequence number) in the ack. From then on the server pushes `delta`s, coalesced (one per
 * flush, 100–250 ms), each carrying `prevSeq` and `seq`. A delta whose `prevSeq` is not the client's
 * current seq means it missed one: it then sends `resync` and replaces its state with the snapshot in
 * the ack. Sequence numbers belong to one server instance; a reconnect always starts with a snapshot
 * (no Socket.IO connection state recovery).
 *
 * Heartbeat: when a view has had no change for a while the server sends a delta with empty `changes`
 * and `seq === prevSeq` (the current seq) at least every 2 s. It moves `serverTime` and tells
 * "connected, nothing changed" from "stale"; it also exposes a missed delta (its prevSeq is not the
 * client's seq). No heartbeats are sent while the server cannot read the live state.
 *
 * Nothing that changes with time alone is pushed as a ticking value: the snapshot carries timestamps
 * (`since`, `oldestQueuedAt`, `due`) and `serverTime`, and clients compute durations themselves.
 */
import { z } from 'zod';
import type { LiveAgent, LiveQueue, LiveSatisfactionMinute, LiveSnapshot, LiveTicketAlert } from './api.ts';
import type { Principal } from './auth.ts';
import type { AcknowledgeRequest, ReassignRequest, ReassignResponse } from './commands.ts';
import type { ThresholdsResponse } from './ui.ts';

const name = z.string().trim().min(1).max(100);

/** `subscribe`: the teams and/or queues to show; left out or empty = all the principal may see. */
export const subscribeRequest = z.object({
  teams: z.array(name).max(50).optional(),
  queues: z.array(name).max(50).optional(),
});
export type SubscribeRequest = z.infer<typeof subscribeRequest>;

/** A resolved view: sorted, de-duplicated, narrowed to the principal's teams. Empty = no restriction. */
export interface LiveView {
  teams: string[];
  queues: string[];
}

/** Changes to one list of the snapshot, by id (queue name, agent id, ticket id). */
export interface ListChanges<T> {
  /** Items added or changed, whole. New ones are appended in this order. */
  upsert?: T[];
  /** Ids of items that left the list. */
  remove?: string[];
  /** The full id order after the change, sent only when removing and appending would not give it. */
  order?: string[];
}

/** What changed between two snapshots of a view. Absent sections did not change. */
export interface LiveChanges {
  queues?: ListChanges<LiveQueue>;
  agents?: ListChanges<LiveAgent>;
  overdue?: ListChanges<LiveTicketAlert>;
  atRisk?: ListChanges<LiveTicketAlert>;
  /** Replaces `tickets.open`. */
  ticketsOpen?: number;
  /** Replaces `tickets.overdueCount`, `atRiskCount` and `byTeam`. */
  ticketCounts?: Pick<LiveSnapshot['tickets'], 'overdueCount' | 'atRiskCount' | 'byTeam'>;
  /** Replaces `satisfaction.rolling60m` and `satisfaction.shift`. */
  satisfaction?: Omit<LiveSnapshot['satisfaction'], 'trend'>;
  /** Changes to `satisfaction.trend`, by minute (its start as a string). */
  satisfactionTrend?: ListChanges<LiveSatisfactionMinute>;
  /** Replaces `shift` (a new shift started, or none is configured now). */
  shift?: LiveSnapshot['shift'];
  timezone?: string;
}

/** A diff of two snapshots (server/realtime/views.ts `diffSnapshots` / `applyDelta`). */
export interface LiveDelta {
  /** Replaces `serverTime` of the snapshot it is applied to. */
  serverTime: number;
  changes: LiveChanges;
}

/** `delta` (server → client): apply only when `prevSeq` equals the client's seq; then its seq is `seq`. */
export interface DeltaEvent extends LiveDelta {
  seq: number;
  prevSeq: number;
}

/** A full snapshot of a view: the `subscribe` and `resync` acks, and the `snapshot` event. */
export interface SnapshotEvent {
  /** The view's sequence number this snapshot is at; the next delta has `prevSeq === seq`. */
  seq: number;
  view: LiveView;
  /** The floor filtered to `view`. */
  data: LiveSnapshot;
  /** When the server sent it (epoch ms). */
  serverTime: number;
}

/**
 * An alert (`alert`), pushed to supervisors in scope of the ticket's team: an escalated breach, or a
 * notice that a deadline is at risk (once per deadline; nothing is escalated or published for it).
 */
export interface AlertEvent {
  /** `breach` (escalated; also when absent) or `at-risk` (due within `sla.atRiskMinutes`). */
  level?: 'breach' | 'at-risk';
  ticketId: string;
  deadline: 'accept' | 'update' | 'resolve';
  /** When the deadline was due, epoch ms. */
  due: number;
  team: string | null;
  subject: string;
  tier: LiveTicketAlert['tier'];
  priority?: LiveTicketAlert['priority'];
  agentId?: string | null;
  /** When it was raised, epoch ms. */
  escalatedAt?: number;
}

/** `reassigned`: tickets an operator reassigned (sent to everyone in scope of the tickets' team). */
export interface ReassignedEvent {
  /** Who did it (user or token name). */
  by: string;
  agentId: string;
  team: string | null;
  tickets: Array<{ ticketId: string; version: number }>;
  at: number;
}

/**
 * `settings`: the wallboard thresholds in force (as `GET /api/v1/settings/thresholds` answers), sent
 * to every socket that may view the floor when it connects and whenever an admin changes them.
 */
export interface SettingsEvent {
  thresholds: ThresholdsResponse;
  serverTime: number;
}

/** Error codes of acks and of a refused connection (`connect_error` message `unauthorized`). */
export const REALTIME_ERRORS = [
  'bad_request',
  'unauthorized',
  'forbidden',
  'not_found',
  'conflict',
  'not_subscribed',
  'unavailable',
] as const;
export type RealtimeErrorCode = (typeof REALTIME_ERRORS)[number];

/** A failed request: a code to branch on and a message to show. */
export interface ErrorAck {
  error: RealtimeErrorCode;
  message: string;
}

export type SnapshotAck = SnapshotEvent | ErrorAck;
export type ReassignAck = ReassignResponse | ErrorAck;
export type AcknowledgeAck = { ok: true } | ErrorAck;

/** Events the server emits. */
export interface ServerToClientEvents {
  /** A full snapshot (sent when a client subscribed or asked for a resync without an ack callback). */
  snapshot: (e: SnapshotEvent) => void;
  delta: (e: DeltaEvent) => void;
  alert: (e: AlertEvent) => void;
  reassigned: (e: ReassignedEvent) => void;
  settings: (e: SettingsEvent) => void;
}

/** Events a client emits; every payload is validated, a bad one gets an `ErrorAck`. */
export interface ClientToServerEvents {
  subscribe: (req: SubscribeRequest, ack: (res: SnapshotAck) => void) => void;
  resync: (ack: (res: SnapshotAck) => void) => void;
  reassign: (req: ReassignRequest, ack: (res: ReassignAck) => void) => void;
  acknowledge: (req: AcknowledgeRequest, ack: (res: AcknowledgeAck) => void) => void;
}

/** Between server instances (through the Redis adapter). */
export interface InterServerEvents {
  /** Something in the shared live state changed: re-read it at the next flush. */
  dirty: () => void;
  /** An admin changed the run-time settings: re-read them now. */
  settings: () => void;
}

/** Per-socket server state. */
export interface SocketData {
  principal: Principal;
  /** The room key of the socket's current view, or null before `subscribe`. */
  room: string | null;
}
