/**
 * Where live snapshots come from: the Socket.IO live feed (server/realtime/client.ts: a snapshot on
 * every (re)connect, then deltas with sequence numbers, a resync on a gap, heartbeats every 2 s; it
 * reconnects by itself, also after the server refused or dropped the socket, unless unauthorized).
 * Pages depend only on `FeedSource`, so tests and tools can feed them otherwise.
 */
import { io } from 'socket.io-client';
import type { LiveSnapshot } from '$contract/api';
import type { AlertEvent, LiveView, SettingsEvent } from '$contract/realtime';
import { LiveFeed, type FeedSocket, type LiveFeedStatus } from '$realtime/client';
import { sessionToken } from './session';

/** `reconnecting` covers a dropped socket and a resync in progress; the last snapshot stays shown. */
export type FeedStatus = 'connecting' | 'live' | 'reconnecting' | 'unauthorized' | 'error';

export interface FeedHandlers {
  /**
   * The whole floor after an update (a snapshot, a delta applied, or a heartbeat), and the view the
   * server resolved (the teams and queues asked for, narrowed to the viewer's teams).
   */
  update(snapshot: LiveSnapshot, view: LiveView | null): void;
  status(status: FeedStatus, detail: string | null): void;
  /** An escalation alert the server pushed (supervisors in scope only). */
  alert?(e: AlertEvent): void;
  /** The settings in force (wallboard thresholds), pushed on connecting and when an admin changes them. */
  settings?(e: SettingsEvent): void;
}

/** Scope of a feed: teams and queues to show (empty = all the principal may see). */
export interface FeedScope {
  teams: string[];
  queues: string[];
}

export interface FeedSource {
  /** Starts delivering; returns the stop function. */
  start(on: FeedHandlers): () => void;
}

const STATUS: Record<LiveFeedStatus, FeedStatus> = {
  connecting: 'connecting',
  live: 'live',
  resyncing: 'reconnecting',
  disconnected: 'reconnecting',
  unauthorized: 'unauthorized',
  error: 'error',
};

/** The Socket.IO feed of this origin; a tab's wallboard token goes in the handshake's `auth.token`. */
export function socketFeed(scope: FeedScope): FeedSource {
  return {
    start(on) {
      const token = sessionToken();
      const socket: FeedSocket = io({
        auth: token === null ? {} : { token },
        withCredentials: true,
        reconnectionDelayMax: 5000,
        // WebSocket straight away (one round trip less than upgrading from long-polling, and no sticky
        // sessions needed behind a load balancer); long-polling where WebSockets are blocked.
        transports: ['websocket', 'polling'],
        tryAllTransports: true,
      });
      const feed = new LiveFeed(socket, {
        scope: {
          ...(scope.teams.length > 0 ? { teams: scope.teams } : {}),
          ...(scope.queues.length > 0 ? { queues: scope.queues } : {}),
        },
      });
      const offStatus = feed.listenStatus((s) => on.status(STATUS[s], feed.detail));
      const offSnap = feed.listen((snap) => on.update(snap, feed.view));
      const offAlert = feed.listenAlerts((e) => on.alert?.(e));
      const offSettings = feed.listenSettings((e) => on.settings?.(e));
      return () => {
        offSettings();
        offAlert();
        offSnap();
        offStatus();
        feed.close();
        socket.disconnect();
      };
    },
  };
}
