/**
 * The live floor as the browser knows it: the latest snapshot, when it arrived, and the offset between
 * the server's clock and ours (so waits tick locally from `serverTime`). The satisfaction trend comes
 * with the snapshot (the server keeps the last hour minute by minute).
 */
import type { LiveSnapshot } from '$contract/api';
import type { LiveView } from '$contract/realtime';
import type { ThresholdsResponse } from '$contract/ui';
import type { FeedSource, FeedStatus } from './feed';

/** Updates older than this make the data stale. */
export const STALE_AFTER_MS = 5000;

export type SatDimension = 'speed' | 'resolution' | 'professionalism' | 'recommend';
export const SAT_DIMENSIONS: readonly SatDimension[] = [
  'speed',
  'resolution',
  'professionalism',
  'recommend',
];

export interface LiveStateOptions {
  /** Local clock (tests). */
  now?: () => number;
}

export class LiveState {
  #snapshot = $state<LiveSnapshot | null>(null);
  #view = $state<LiveView | null>(null);
  /** How many escalation alerts the server pushed since `listen()`. */
  #alerts = $state(0);
  #status = $state<FeedStatus>('connecting');
  #detail = $state<string | null>(null);
  /** Local time the last update arrived, 0 before the first. */
  #receivedAt = $state(0);
  /** serverTime − local time at the last update. */
  #offset = $state(0);
  /** The wallboard thresholds the server last pushed (null before the first). */
  #thresholds = $state<ThresholdsResponse | null>(null);
  #source: FeedSource;
  #now: () => number;

  constructor(source: FeedSource, opts: LiveStateOptions = {}) {
    this.#source = source;
    this.#now = opts.now ?? (() => Date.now());
  }

  /** The latest snapshot, null until the first arrives. */
  get snapshot(): LiveSnapshot | null {
    return this.#snapshot;
  }

  /** The view the server resolved (a team-scoped viewer's teams even when none were asked for). */
  get view(): LiveView | null {
    return this.#view;
  }

  /** Escalation alerts pushed so far (supervisors): pages refresh their alert list when it moves. */
  get alertsPushed(): number {
    return this.#alerts;
  }

  get status(): FeedStatus {
    return this.#status;
  }

  /** Why the feed is not live (last error), if known. */
  get detail(): string | null {
    return this.#detail;
  }

  /** Server time of the last update (epoch ms), null before the first. */
  get lastUpdateAt(): number | null {
    return this.#receivedAt === 0 ? null : this.#receivedAt + this.#offset;
  }

  /** The wallboard thresholds the server pushed last (on connecting, and when an admin changes them). */
  get thresholds(): ThresholdsResponse | null {
    return this.#thresholds;
  }

  /** The server's clock now, given the local time `localNow`. */
  serverNow(localNow: number): number {
    return localNow + this.#offset;
  }

  /** Whether no update has arrived for more than STALE_AFTER_MS (false before the first). */
  stale(localNow: number): boolean {
    return this.#receivedAt !== 0 && localNow - this.#receivedAt > STALE_AFTER_MS;
  }

  /** Applies a snapshot (the feed calls this; tests may too). */
  apply(s: LiveSnapshot): void {
    const local = this.#now();
    this.#offset = s.serverTime - local;
    this.#receivedAt = local;
    this.#snapshot = s;
  }

  /** Connects the feed; returns the unsubscribe. */
  listen(): () => void {
    return this.#source.start({
      update: (s, view) => {
        this.#view = view;
        this.apply(s);
      },
      alert: () => {
        this.#alerts++;
      },
      status: (status, detail) => {
        this.#status = status;
        this.#detail = status === 'live' ? null : (detail ?? null);
        // Access revoked or ended: what this viewer may no longer read is not left on the screen.
        if (status === 'unauthorized') this.clear();
      },
      settings: (e) => {
        this.#thresholds = e.thresholds;
      },
    });
  }

  /** Forgets the live data (snapshot, last update); the status stays. */
  clear(): void {
    this.#snapshot = null;
    this.#view = null;
    this.#receivedAt = 0;
    this.#offset = 0;
  }
}
