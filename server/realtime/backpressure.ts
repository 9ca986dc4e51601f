/**
 * Slow and stalled clients. Node writes to every socket without waiting for any, so a client that
 * stops reading never holds up the others' deltas; but Socket.IO keeps, per socket and without bound,
 * whatever could not be written yet. A TV on a failing link would make the server hold every delta
 * for it, and replay seconds of stale deltas when the link comes back.
 *
 * So a socket whose output has waited longer than `maxWaitMs` (packets queued behind a write the
 * client has not taken yet), or with more than `maxBytes` waiting, is behind: the hub sends it no
 * deltas or heartbeats, and refuses its resyncs (a small error ack), until what waits for it is
 * written. The first delta it then gets has a gap (`prevSeq` is not its seq), so it asks for a fresh
 * snapshot: one snapshot instead of the backlog, and the memory a stalled client costs is bounded.
 */
import type { Socket } from 'socket.io';

/** The parts of an engine.io connection read here (its own TypeScript types keep them private). */
interface EngineConnection {
  /** Packets not yet handed to the transport (it is still writing earlier ones). */
  writeBuffer?: Array<{ data?: unknown }>;
  /** The WebSocket transport's `ws` socket; `bufferedAmount` is bytes written but not yet sent. */
  transport?: { socket?: { bufferedAmount?: unknown } };
}

/** Bytes waiting to be written to `socket`, or null when nothing is queued behind the transport. */
export function waitingBytes(socket: Pick<Socket, 'conn'>): number | null {
  const conn = socket.conn as unknown as EngineConnection;
  const queued = conn.writeBuffer;
  if (!queued || queued.length === 0) return null;
  let bytes = 0;
  for (const p of queued) {
    if (typeof p.data === 'string') bytes += p.data.length;
    else if (Buffer.isBuffer(p.data)) bytes += p.data.byteLength;
  }
  const buffered = conn.transport?.socket?.bufferedAmount;
  return bytes + (typeof buffered === 'number' ? buffered : 0);
}

export interface BackpressureOptions {
  /** This instance's sockets. */
  sockets: () => Iterable<Pick<Socket, 'id' | 'conn'>>;
  /** How long output may wait before the socket is behind; default 5000 ms. */
  maxWaitMs?: number;
  /** How many bytes may wait before the socket is behind; default 8 MiB. */
  maxBytes?: number;
  log: { info(obj: object, msg?: string): void };
  /** Where bytes waiting are read (tests); default `waitingBytes`. */
  waiting?: (socket: Pick<Socket, 'id' | 'conn'>) => number | null;
}

export interface Backpressure {
  /** Re-checks every socket at `now`; returns the ids of those behind (to skip). */
  check(now: number): string[];
  /** Whether the socket was behind at the last check. */
  isBehind(id: string): boolean;
  /** Forgets a socket that disconnected. */
  forget(id: string): void;
  /** Sockets behind at the last check, and how many times a socket fell behind so far. */
  stats(): { behind: number; fellBehind: number };
}

export const DEFAULT_MAX_WAIT_MS = 5000;
export const DEFAULT_MAX_BYTES = 8 * 2 ** 20;

export function createBackpressure(o: BackpressureOptions): Backpressure {
  const maxWaitMs = o.maxWaitMs ?? DEFAULT_MAX_WAIT_MS;
  const maxBytes = o.maxBytes ?? DEFAULT_MAX_BYTES;
  const waiting = o.waiting ?? waitingBytes;
  /** Sockets with output waiting: since when, and whether they are behind. */
  const state = new Map<string, { since: number; behind: boolean }>();
  let fellBehind = 0;

  return {
    check(now) {
      const behind: string[] = [];
      for (const s of o.sockets()) {
        const bytes = waiting(s);
        let st = state.get(s.id);
        if (bytes === null) {
          if (st?.behind) o.log.info({ socket: s.id, behindMs: now - st.since }, 'slow client caught up');
          if (st) state.delete(s.id);
          continue;
        }
        if (!st) {
          st = { since: now, behind: false };
          state.set(s.id, st);
        }
        if (!st.behind && (now - st.since >= maxWaitMs || bytes >= maxBytes)) {
          st.behind = true;
          fellBehind++;
          o.log.info(
            { socket: s.id, waitingBytes: bytes, waitingMs: now - st.since },
            'slow client: skipping its deltas until it has read what waits for it',
          );
        }
        if (st.behind) behind.push(s.id);
      }
      return behind;
    },
    isBehind: (id) => state.get(id)?.behind === true,
    forget(id) {
      state.delete(id);
    },
    stats() {
      let behind = 0;
      for (const st of state.values()) if (st.behind) behind++;
      return { behind, fellBehind };
    },
  };
}
