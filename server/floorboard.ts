/**
 * The whole floorboard process, composed: ingestion runtime, access control, commands, escalation,
 * outbox relay, HTTP API, Socket.IO push and the web app, on one port. `npm start` (main.ts) and
 * the end-to-end tests both start it through `startFloorboard`.
 */
import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Express, RequestHandler } from 'express';
import type { Config } from '../config/schema.ts';
import { accessRoom, createAccess, type Access, type DemoCredentials } from './auth/index.ts';
import type { Clock } from './clock.ts';
import { createEscalation, type EscalationAlert } from './commands/escalation.ts';
import { createOutboxRelay } from './commands/outbox.ts';
import { createReassign } from './commands/reassign.ts';
import { projectionContextFactory } from './domain/context.ts';
import { createApp } from './http/app.ts';
import { requirePermission, type RouteSpec } from './http/guard.ts';
import { createMetrics } from './http/metrics.ts';
import { reportRoutes } from './http/routes/reports.ts';
import { settingsRoutes } from './http/routes/settings.ts';
import { statusRoutes } from './http/routes/status.ts';
import { ticketRoutes } from './http/routes/tickets.ts';
import type { Logger } from './log.ts';
import { startRuntime, type Runtime } from './runtime.ts';
import type { HubTrace } from './realtime/hub.ts';
import { startRealtime, type Realtime } from './realtime/wiring.ts';
import { createSettings, type Settings } from './settings/settings.ts';

export const WEB_HANDLER = fileURLToPath(new URL('../web/build/handler.js', import.meta.url));

export interface FloorboardDeps {
  config: Config;
  clock: Clock;
  log: Logger;
  /** Where to look for a local Redis when REDIS_URL is unset (tests point it at nothing). */
  localRedisUrl?: string;
  /** Serve the built web app when web/build exists (default true). */
  serveWeb?: boolean;
  /** Told the phases of each realtime flush (the push benchmark's latency breakdown). */
  realtimeTrace?: HubTrace;
  /** How often the run-time settings are re-read from the store (default: the settings module's). */
  settingsRefreshMs?: number;
}

export interface Floorboard {
  server: Server;
  app: Express;
  port: number;
  url: string;
  runtime: Runtime;
  access: Access;
  realtime: Realtime;
  /** Every guarded API route, as declared (for the access-control test). */
  routes: RouteSpec[];
  demo: DemoCredentials | null;
  stop(): Promise<void>;
}

async function webHandler(log: Logger): Promise<RequestHandler | null> {
  if (!existsSync(WEB_HANDLER)) {
    log.warn({ path: WEB_HANDLER }, 'web app not built (npm run build): serving the API only');
    return null;
  }
  const mod = (await import(pathToFileURL(WEB_HANDLER).href)) as { handler: RequestHandler };
  return mod.handler;
}

/** Starts everything and listens on `config.port` (0 = any free port). */
export async function startFloorboard(deps: FloorboardDeps): Promise<Floorboard> {
  const { config, clock, log } = deps;
  let realtime: Realtime | null = null;
  let settings: Settings | null = null;
  const policy = () => settings?.current() ?? config;
  const runtime = await startRuntime({
    policy,
    config,
    clock,
    log,
    ...(deps.localRedisUrl ? { localRedisUrl: deps.localRedisUrl } : {}),
    onApplied: () => realtime?.markDirty(),
  });
  const access = createAccess({
    store: runtime.store,
    clock,
    log,
    config,
    embedded: runtime.source.kind === 'in-process',
    redisUrl: runtime.redisUrl,
  });
  settings = createSettings({
    store: runtime.store,
    config,
    audit: access.audit,
    log,
    ...(deps.settingsRefreshMs === undefined ? {} : { refreshMs: deps.settingsRefreshMs }),
    // TVs apply new thresholds at once: pushed here, and announced to the other instances.
    onChange: (_s, origin) => realtime?.pushSettings({ announce: origin === 'update' }),
  });
  await settings.start();
  const ctxAt = projectionContextFactory(config, runtime.calendar, policy);
  const commandsTopic = config.kafka.topics.commands;
  const reassign = createReassign({
    store: runtime.store,
    clock,
    ctxAt,
    audit: access.audit,
    commandsTopic,
    dedupeHours: config.retention.dedupeHours,
    onChanged: () => realtime?.markDirty(),
    onReassigned: (by, agentId, results) => realtime?.notifyReassigned(by.name, agentId, results),
  });
  const escalation = createEscalation({
    store: runtime.store,
    clock,
    ctxAt,
    audit: access.audit,
    commandsTopic,
    log,
    intervalMs: config.escalation.sweepMs,
    horizonMs: config.escalation.horizonHours * 3_600_000,
    // Escalate only on complete live state: a breach seen while events are missing may be one that
    // an unapplied event already ended.
    canEscalate: () => {
      const st = runtime.ingestor.status();
      const lag = Object.values(st.lag).reduce((a, b) => a + b, 0);
      const rebuilding = 'rebuilding' in st && st.rebuilding === true;
      return (
        runtime.source.connected() &&
        st.degradedSince === null &&
        !rebuilding &&
        lag <= config.escalation.maxConsumerLag
      );
    },
    onAlert: (alert: EscalationAlert) => {
      realtime?.pushAlert(alert);
      realtime?.markDirty();
    },
  });
  const outbox = createOutboxRelay({ store: runtime.store, publisher: runtime.publisher, clock, log });
  const metrics = createMetrics({
    ingest: runtime.ingestor.status,
    sockets: () => realtime?.stats().sockets ?? 0,
  });

  const routes: RouteSpec[] = [];
  const web = deps.serveWeb === false ? null : await webHandler(log);
  const guardMetrics = requirePermission('metrics:read');
  const metricsRoute: RequestHandler = (req, res, next) => {
    if (req.method !== 'GET' || req.path !== '/metrics') return next();
    guardMetrics(req, res, () => void metrics.handler(req, res, next));
  };
  const app = createApp({
    log,
    trustProxy: config.http.trustProxy,
    before: access.before,
    api: [
      statusRoutes({ health: runtime.health, live: runtime.live, queueTeams: config.queueTeams }, routes),
      ticketRoutes(
        { store: runtime.store, keys: runtime.keys, sla: () => policy().sla, reassign, escalation },
        routes,
      ),
      reportRoutes(
        { store: runtime.store, keys: runtime.keys, calendar: runtime.calendar, now: clock.now },
        routes,
      ),
      settingsRoutes({ settings }, routes),
      ...access.routers(routes),
    ],
    after: [metricsRoute, ...(web ? [web] : [])],
  });
  const server = createServer(app);
  realtime = await startRealtime({
    server,
    config,
    clock,
    log,
    // While the event source is down the numbers are not being updated: sending them (or heartbeats)
    // would hide that, so clients go stale until it is back.
    readLive: async () => {
      if (!runtime.source.connected()) throw new Error('event source disconnected: live data is stale');
      return runtime.live();
    },
    redisUrl: runtime.redisUrl,
    authenticate: access.authenticateHandshake,
    commands: { reassign, acknowledge: escalation.acknowledge },
    pushLatency: metrics.pushLatency,
    settings: { thresholds: () => policy().thresholds, refresh: () => settings.refresh() },
    ...(deps.realtimeTrace ? { trace: deps.realtimeTrace } : {}),
  });
  // A token revoked, a user removed or a session ended here: their sockets go, on every instance.
  access.onAccessEnded((subject) => realtime?.cutAccess(accessRoom(subject)));
  escalation.start();
  outbox.start();
  await new Promise<void>((resolve) => server.listen(config.port, resolve));
  const port = (server.address() as AddressInfo).port;
  const url = `http://localhost:${port}`;
  log.info(
    { port, store: runtime.store.kind, source: runtime.source.kind },
    `floorboard listening on ${url}`,
  );
  const demo = await access.ensureDemoCredentials();
  let stopped = false;
  return {
    server,
    app,
    port,
    url,
    runtime,
    access,
    realtime,
    routes,
    demo,
    async stop() {
      if (stopped) return;
      stopped = true;
      escalation.stop();
      settings?.stop();
      await realtime?.stop();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await outbox.stop();
      await access.close();
      await runtime.stop();
    },
  };
}
