/**
 * The live feed client (isomorphic: no DOM, no Node-only imports; the web UI and the tests use it).
 * Wraps a socket.io-client socket: on every (re)connect it subscribes and takes the snapshot from
 * the ack; it applies a delta only when the delta's `prevSeq` is its own seq, and otherwise asks for
 * a fresh snapshot (`resync`). It never relies on Socket.IO connection state recovery.
 *
 * Recovery: Socket.IO reconnects by itself after a dropped transport, but not after the server refused
 * the handshake (`connect_error` from the middleware destroys the socket) or disconnected the socket:
 * the feed then calls `socket.connect()` again with backoff, unless the refusal was `unauthorized`. A
 * subscribe answered `unavailable` (the live state could not be read) is retried with backoff too.
 */
import type { Socket } from 'socket.io-client';
import type { LiveSnapshot } from '../contract/api.ts';
import type { AcknowledgeRequest, ReassignRequest, ReassignResponse } from '../contract/commands.ts';
import type {
  AlertEvent,
  ClientToServerEvents,
  DeltaEvent,
  ErrorAck,
  LiveView,
  RealtimeErrorCode,
  ReassignedEvent,
  ServerToClientEvents,
  SettingsEvent,
  SnapshotAck,
  SnapshotEvent,
  SubscribeRequest,
} from '../contract/realtime.ts';
import { applyDelta, isEmptyDelta } from './views.ts';

export type FeedSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

/**
 * `connecting`: waiting for the first snapshot; `live`: up to date; `resyncing`: a delta was missed
 * and a fresh snapshot is on its way; `disconnected`: socket down (the last snapshot is kept, and goes
 * stale); `unauthorized`: the server refused the credentials; `error`: the server refused the
 * subscription (see `detail`).
 */
export type LiveFeedStatus = 'connecting' | 'live' | 'resyncing' | 'disconnected' | 'unauthorized' | 'error';

export interface LiveFeedOptions {
  /** Teams and/or queues to show; empty = all the principal may see. */
  scope?: SubscribeRequest;
  /** The client clock (epoch ms); default Date.now. */
  now?: () => number;
  /** How long to wait for an ack before retrying (subscribe, resync) or failing (commands); default 10 s. */
  ackTimeoutMs?: number;
  /**
   * Backoff of the retries after a refused handshake, a server-side disconnect or an `unavailable`
   * subscribe: the first waits about `minMs`, each next one twice as long, up to `maxMs` (±25 %
   * jitter, so a floor of TVs does not retry in step); default 1 s to 15 s.
   */
  retry?: { minMs?: number; maxMs?: number };
}

/** Counts of what the feed received, for freshness displays and tests. */
export interface LiveFeedCounts {
  snapshots: number;
  deltas: number;
  heartbeats: number;
  resyncs: number;
}

/** A refused request (the server's `ErrorAck`), or `timeout`. */
export class RealtimeError extends Error {
  constructor(
    readonly code: RealtimeErrorCode | 'timeout',
    message: string,
  ) {
    super(message);
    this.name = 'RealtimeError';
  }
}

/** Whether an ack is an error. */
export function isErrorAck(res: unknown): res is ErrorAck {
  return typeof res === 'object' && res !== null && 'error' in res && typeof res.error === 'string';
}

type Listener<T> = (value: T) => void;

/** The live floor of one view, kept current from a socket. */
export class LiveFeed {
  readonly #socket: FeedSocket;
  readonly #scope: SubscribeRequest;
  readonly #now: () => number;
  readonly #ackTimeoutMs: number;
  #snapshot: LiveSnapshot | null = null;
  #view: LiveView | null = null;
  #seq: number | null = null;
  #lastUpdateAt: number | null = null;
  #serverOffsetMs = 0;
  #status: LiveFeedStatus = 'connecting';
  #detail: string | null = null;
  /** Generation of the subscribe/resync in flight; deltas wait while one is pending. */
  #generation = 0;
  #pending = false;
  #closed = false;
  readonly #retryMinMs: number;
  readonly #retryMaxMs: number;
  /** Retries since the last snapshot (the backoff exponent). */
  #failures = 0;
  #retryTimer: ReturnType<typeof setTimeout> | null = null;
  readonly #counts: LiveFeedCounts = { snapshots: 0, deltas: 0, heartbeats: 0, resyncs: 0 };
  readonly #listeners = new Set<Listener<LiveSnapshot>>();
  readonly #statusListeners = new Set<Listener<LiveFeedStatus>>();
  readonly #alertListeners = new Set<Listener<AlertEvent>>();
  readonly #reassignedListeners = new Set<Listener<ReassignedEvent>>();
  readonly #settingsListeners = new Set<Listener<SettingsEvent>>();
  #settings: SettingsEvent | null = null;

  readonly #onConnect = () => {
    this.#cancelRetry();
    void this.#subscribe();
  };
  readonly #onDisconnect = (reason: string) => {
    this.#generation++;
    this.#pending = false;
    this.#cancelRetry();
    if (this.#status === 'unauthorized') return;
    this.#setStatus('disconnected', reason);
    // The server ended the socket (e.g. its credentials are re-checked): Socket.IO does not reconnect
    // by itself then. Connecting again either works or is refused as `unauthorized`.
    if (reason === 'io server disconnect') this.#retryLater(() => this.#socket.connect());
  };
  readonly #onConnectError = (err: Error) => {
    if (err.message === 'unauthorized') {
      this.#cancelRetry();
      this.#setStatus('unauthorized', 'the server refused the credentials');
      return;
    }
    this.#setStatus('disconnected', err.message);
    // A refusal by the server's middleware (e.g. `unavailable`: credentials could not be checked)
    // leaves the socket inactive for good; a transport error keeps it reconnecting on its own.
    if (!this.#socket.active) this.#retryLater(() => this.#socket.connect());
  };
  readonly #onSnapshot = (e: SnapshotEvent) => this.#accept(e);
  readonly #onDelta = (d: DeltaEvent) => this.#applyDelta(d);
  readonly #onAlert = (e: AlertEvent) => this.#alertListeners.forEach((cb) => cb(e));
  readonly #onReassigned = (e: ReassignedEvent) => this.#reassignedListeners.forEach((cb) => cb(e));
  readonly #onSettings = (e: SettingsEvent) => {
    this.#settings = e;
    this.#settingsListeners.forEach((cb) => cb(e));
  };

  /** Starts following `socket` (subscribing now if it is connected, else when it connects). */
  constructor(socket: FeedSocket, opts: LiveFeedOptions = {}) {
    this.#socket = socket;
    this.#scope = opts.scope ?? {};
    this.#now = opts.now ?? (() => Date.now());
    this.#ackTimeoutMs = opts.ackTimeoutMs ?? 10_000;
    this.#retryMinMs = opts.retry?.minMs ?? 1000;
    this.#retryMaxMs = Math.max(this.#retryMinMs, opts.retry?.maxMs ?? 15_000);
    socket.on('connect', this.#onConnect);
    socket.on('disconnect', this.#onDisconnect);
    socket.on('connect_error', this.#onConnectError);
    socket.on('snapshot', this.#onSnapshot);
    socket.on('delta', this.#onDelta);
    socket.on('alert', this.#onAlert);
    socket.on('reassigned', this.#onReassigned);
    socket.on('settings', this.#onSettings);
    if (socket.connected) void this.#subscribe();
  }

  /** The current floor of the view, or null before the first snapshot. Treat it as read-only. */
  get snapshot(): LiveSnapshot | null {
    return this.#snapshot;
  }
  /** The view the server resolved (narrowed to the principal's teams). */
  get view(): LiveView | null {
    return this.#view;
  }
  get seq(): number | null {
    return this.#seq;
  }
  /** When the last snapshot, delta or heartbeat arrived (client clock), or null. */
  get lastUpdateAt(): number | null {
    return this.#lastUpdateAt;
  }
  get status(): LiveFeedStatus {
    return this.#status;
  }
  get detail(): string | null {
    return this.#detail;
  }
  get counts(): LiveFeedCounts {
    return { ...this.#counts };
  }

  /** The server's clock now, estimated from the last update (for ticking waits and ages). */
  serverNow(now = this.#now()): number {
    return now + this.#serverOffsetMs;
  }

  /** Whether nothing (not even a heartbeat) arrived for longer than `thresholdMs`. */
  stale(now = this.#now(), thresholdMs = 5000): boolean {
    return this.#lastUpdateAt === null || now - this.#lastUpdateAt > thresholdMs;
  }

  /** Calls `cb` with every new snapshot (and at once with the current one); returns its unsubscribe. */
  listen(cb: Listener<LiveSnapshot>): () => void {
    this.#listeners.add(cb);
    if (this.#snapshot) cb(this.#snapshot);
    return () => void this.#listeners.delete(cb);
  }

  /** Calls `cb` on every status change (and at once with the current one); returns its unsubscribe. */
  listenStatus(cb: Listener<LiveFeedStatus>): () => void {
    this.#statusListeners.add(cb);
    cb(this.#status);
    return () => void this.#statusListeners.delete(cb);
  }

  /** Calls `cb` with every escalation alert (supervisors only); returns its unsubscribe. */
  listenAlerts(cb: Listener<AlertEvent>): () => void {
    this.#alertListeners.add(cb);
    return () => void this.#alertListeners.delete(cb);
  }

  /** Calls `cb` with every reassignment notice; returns its unsubscribe. */
  listenReassigned(cb: Listener<ReassignedEvent>): () => void {
    this.#reassignedListeners.add(cb);
    return () => void this.#reassignedListeners.delete(cb);
  }

  /**
   * Calls `cb` with the settings the server pushes (on connecting, and when an admin changes them),
   * and at once with the last ones received; returns its unsubscribe.
   */
  listenSettings(cb: Listener<SettingsEvent>): () => void {
    this.#settingsListeners.add(cb);
    if (this.#settings) cb(this.#settings);
    return () => void this.#settingsListeners.delete(cb);
  }

  /** Reassigns tickets; rejects with a RealtimeError when the server refuses. */
  async reassign(req: ReassignRequest): Promise<ReassignResponse> {
    const res = await this.#command(() =>
      this.#socket.timeout(this.#ackTimeoutMs).emitWithAck('reassign', req),
    );
    if (isErrorAck(res)) throw new RealtimeError(res.error, res.message);
    return res;
  }

  /** Acknowledges an escalation alert; rejects with a RealtimeError when the server refuses. */
  async acknowledge(req: AcknowledgeRequest): Promise<void> {
    const res = await this.#command(() =>
      this.#socket.timeout(this.#ackTimeoutMs).emitWithAck('acknowledge', req),
    );
    if (isErrorAck(res)) throw new RealtimeError(res.error, res.message);
  }

  /** Asks for a fresh snapshot now. */
  resync(): void {
    void this.#ask('resync');
  }

  /** Stops following the socket (the socket itself stays as it is) and drops every listener. */
  close(): void {
    this.#closed = true;
    this.#generation++;
    this.#cancelRetry();
    const s = this.#socket;
    s.off('connect', this.#onConnect);
    s.off('disconnect', this.#onDisconnect);
    s.off('connect_error', this.#onConnectError);
    s.off('snapshot', this.#onSnapshot);
    s.off('delta', this.#onDelta);
    s.off('alert', this.#onAlert);
    s.off('reassigned', this.#onReassigned);
    s.off('settings', this.#onSettings);
    this.#listeners.clear();
    this.#settingsListeners.clear();
    this.#statusListeners.clear();
    this.#alertListeners.clear();
    this.#reassignedListeners.clear();
  }

  async #command<T>(send: () => Promise<T>): Promise<T> {
    try {
      return await send();
    } catch (err) {
      throw new RealtimeError('timeout', `no answer from the server: ${(err as Error).message}`);
    }
  }

  #subscribe(): Promise<void> {
    return this.#ask('subscribe');
  }

  /** Sends `subscribe` or `resync`; the latest request wins, a timed-out one is retried while connected. */
  async #ask(kind: 'subscribe' | 'resync'): Promise<void> {
    if (this.#closed || !this.#socket.connected) return;
    const gen = ++this.#generation;
    this.#pending = true;
    if (kind === 'resync') this.#counts.resyncs++;
    this.#setStatus(this.#snapshot === null ? 'connecting' : 'resyncing', null);
    const s = this.#socket.timeout(this.#ackTimeoutMs);
    let res: SnapshotAck;
    try {
      res = await (kind === 'subscribe' ? s.emitWithAck('subscribe', this.#scope) : s.emitWithAck('resync'));
    } catch {
      if (gen === this.#generation) {
        this.#pending = false;
        void this.#ask(kind);
      }
      return;
    }
    if (gen !== this.#generation) return;
    this.#pending = false;
    if (isErrorAck(res)) {
      // Resync without a room (the server restarted the view): subscribe again.
      if (res.error === 'not_subscribed') void this.#subscribe();
      else if (res.error === 'unavailable') {
        // The server could not read the live state or check the credentials just now: ask again later.
        this.#setStatus(this.#snapshot === null ? 'connecting' : 'resyncing', res.message);
        this.#retryLater(() => void this.#ask(kind));
      } else this.#setStatus(res.error === 'unauthorized' ? 'unauthorized' : 'error', res.message);
      return;
    }
    this.#accept(res);
  }

  /** Runs `again` after the next backoff delay (replacing any retry already scheduled). */
  #retryLater(again: () => void): void {
    if (this.#closed) return;
    this.#cancelRetry();
    const base = Math.min(this.#retryMaxMs, this.#retryMinMs * 2 ** Math.min(this.#failures, 30));
    this.#failures++;
    const delay = base * (0.75 + Math.random() * 0.5);
    this.#retryTimer = setTimeout(() => {
      this.#retryTimer = null;
      if (!this.#closed) again();
    }, delay);
  }

  #cancelRetry(): void {
    if (this.#retryTimer !== null) clearTimeout(this.#retryTimer);
    this.#retryTimer = null;
  }

  #accept(e: SnapshotEvent): void {
    this.#failures = 0;
    this.#snapshot = e.data;
    this.#view = e.view;
    this.#seq = e.seq;
    this.#counts.snapshots++;
    this.#touch(e.serverTime);
    this.#setStatus('live', null);
    this.#emit();
  }

  #applyDelta(d: DeltaEvent): void {
    // While a snapshot is on its way, deltas are older than it or based on it: wait for it.
    if (this.#pending || this.#snapshot === null || this.#seq === null) return;
    if (d.prevSeq !== this.#seq) {
      void this.#ask('resync');
      return;
    }
    if (isEmptyDelta(d)) this.#counts.heartbeats++;
    else this.#counts.deltas++;
    this.#snapshot = applyDelta(this.#snapshot, d);
    this.#seq = d.seq;
    this.#touch(d.serverTime);
    this.#emit();
  }

  #touch(serverTime: number): void {
    const now = this.#now();
    this.#lastUpdateAt = now;
    this.#serverOffsetMs = serverTime - now;
  }

  #emit(): void {
    const snap = this.#snapshot;
    if (snap) this.#listeners.forEach((cb) => cb(snap));
  }

  #setStatus(status: LiveFeedStatus, detail: string | null): void {
    const changed = status !== this.#status || detail !== this.#detail;
    this.#status = status;
    this.#detail = detail;
    if (changed) this.#statusListeners.forEach((cb) => cb(status));
  }
}
