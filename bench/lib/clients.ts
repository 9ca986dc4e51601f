/**
 * Many socket.io-client connections to one floorboard, each subscribed to the whole floor, counting
 * what arrives. Raw socket events rather than LiveFeed: a client only needs the sequence numbers and
 * the marker queue's `waiting`, and 2,000 LiveFeeds rebuilding snapshots would measure the client.
 */
import { io as connect, type Socket } from 'socket.io-client';
import type {
  ClientToServerEvents,
  DeltaEvent,
  ServerToClientEvents,
  SnapshotAck,
} from '../../server/contract/realtime.ts';
import { isErrorAck } from '../../server/realtime/client.ts';

type Client = Socket<ServerToClientEvents, ClientToServerEvents>;

export interface FleetCounts {
  clients: number;
  connected: number;
  /** Deltas with changes. */
  deltas: number;
  /** Empty deltas (`seq === prevSeq`). */
  heartbeats: number;
  /** Deltas whose prevSeq was not the client's seq (a missed delta). */
  gaps: number;
  disconnects: number;
  /** JSON characters of the deltas with changes received by the measured clients, and how many. */
  deltaChars: number;
  measuredDeltas: number;
}

export interface Fleet {
  counts(): FleetCounts;
  close(): void;
}

export interface FleetOptions {
  url: string;
  token: string;
  clients: number;
  /** Connections opened at a time (default 50). */
  concurrency?: number;
  /** Called for each delta with changes: client index, the delta, performance.now() on arrival. */
  onDelta?: (client: number, d: DeltaEvent, at: number) => void;
  /** Measure payload sizes on the first this many clients (JSON.stringify of each delta); default 1. */
  measureBytesOn?: number;
}

async function open(o: FleetOptions, index: number, counts: FleetCounts): Promise<Client> {
  const socket: Client = connect(o.url, {
    auth: { token: o.token },
    transports: ['websocket'],
    reconnection: false,
    forceNew: true,
    timeout: 30_000,
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', (err) =>
      reject(new Error(`client ${index} cannot connect: ${err.message}`)),
    );
  });
  let seq: number | null = null;
  socket.on('delta', (d) => {
    const at = performance.now();
    if (seq !== null && d.prevSeq !== seq) counts.gaps++;
    seq = d.seq;
    if (d.seq === d.prevSeq) {
      counts.heartbeats++;
      return;
    }
    counts.deltas++;
    if (index < (o.measureBytesOn ?? 1)) {
      counts.deltaChars += JSON.stringify(d).length;
      counts.measuredDeltas++;
    }
    o.onDelta?.(index, d, at);
  });
  socket.on('disconnect', () => {
    counts.disconnects++;
    counts.connected--;
  });
  // The ack callback runs as its packet is decoded, before any delta behind it: the seq is set in
  // time (an awaited emitWithAck would resume only after such a delta had been handled).
  await new Promise<void>((resolve, reject) => {
    socket.timeout(60_000).emit('subscribe', {}, (err: Error | null, ack: SnapshotAck) => {
      if (err) return reject(new Error(`client ${index}: no answer to subscribe: ${err.message}`));
      if (isErrorAck(ack)) return reject(new Error(`client ${index}: subscribe refused: ${ack.message}`));
      seq = ack.seq;
      resolve();
    });
  });
  counts.connected++;
  return socket;
}

/** Connects and subscribes `clients` sockets, `concurrency` at a time. */
export async function connectFleet(o: FleetOptions): Promise<Fleet> {
  const counts: FleetCounts = {
    clients: o.clients,
    connected: 0,
    deltas: 0,
    heartbeats: 0,
    gaps: 0,
    disconnects: 0,
    deltaChars: 0,
    measuredDeltas: 0,
  };
  const sockets: Client[] = [];
  const concurrency = o.concurrency ?? 50;
  for (let i = 0; i < o.clients; i += concurrency) {
    const wave = await Promise.allSettled(
      Array.from({ length: Math.min(concurrency, o.clients - i) }, (_, j) => open(o, i + j, counts)),
    );
    for (const r of wave) if (r.status === 'fulfilled') sockets.push(r.value);
    const failed = wave.find((r) => r.status === 'rejected');
    if (failed) {
      for (const s of sockets) s.disconnect();
      throw failed.reason;
    }
  }
  return {
    counts: () => ({ ...counts }),
    close() {
      for (const s of sockets) {
        s.removeAllListeners();
        s.disconnect();
      }
    },
  };
}
