/** Puts Socket.IO on the HTTP server and starts the realtime hub over it. */
import type { Server as HttpServer } from 'node:http';
import { Server } from 'socket.io';
import type { Config } from '../../config/schema.ts';
import type { Clock } from '../clock.ts';
import type { Logger } from '../log.ts';
import { createRealtimeHub, type RealtimeHub, type RealtimeHubDeps, type RealtimeServer } from './hub.ts';

export type Realtime = RealtimeHub;

export interface RealtimeWiring {
  server: HttpServer;
  config: Config;
  clock: Clock;
  log: Logger;
  readLive: RealtimeHubDeps['readLive'];
  authenticate: RealtimeHubDeps['authenticate'];
  commands: RealtimeHubDeps['commands'];
  /** The Redis the store uses (instances sharing it share Socket.IO events), or null for one instance. */
  redisUrl: string | null;
  pushLatency?: RealtimeHubDeps['pushLatency'];
  trace?: RealtimeHubDeps['trace'];
  settings?: RealtimeHubDeps['settings'];
}

/** Starts Socket.IO (same origin only, no connection state recovery: clients re-sync by snapshot). */
export async function startRealtime(w: RealtimeWiring): Promise<Realtime> {
  const io: RealtimeServer = new Server(w.server, { serveClient: false, maxHttpBufferSize: 64 * 1024 });
  return createRealtimeHub({
    io,
    readLive: w.readLive,
    clock: w.clock,
    log: w.log,
    queueTeams: w.config.queueTeams,
    authenticate: w.authenticate,
    commands: w.commands,
    flushMs: w.config.realtime.flushMs,
    redisUrl: w.redisUrl,
    channelPrefix: `${w.config.redis.keyPrefix}socket.io`,
    ...(w.pushLatency ? { pushLatency: w.pushLatency } : {}),
    ...(w.trace ? { trace: w.trace } : {}),
    ...(w.settings ? { settings: w.settings } : {}),
  });
}
