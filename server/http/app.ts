/** The HTTP API (Express). Every error is JSON with a message; unknown routes are 404. */
import express, { type NextFunction, type Request, type Response } from 'express';
import type { ErrorResponse, HealthResponse, LiveSnapshot } from '../contract/api.ts';
import type { Logger } from '../log.ts';

export interface AppDeps {
  health(): Promise<HealthResponse>;
  live(): Promise<LiveSnapshot>;
  log: Logger;
}

/** Builds the Express app. */
export function createApp(deps: AppDeps): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.use(express.json({ limit: '64kb' }));

  app.get('/api/v1/health', async (_req, res) => {
    const health = await deps.health();
    res.status(health.status === 'ok' ? 200 : 503).json(health);
  });
  app.get('/api/v1/live', async (_req, res) => {
    res.json(await deps.live());
  });

  app.use((req: Request, res: Response<ErrorResponse>) => {
    res.status(404).json({ error: `no route ${req.method} ${req.path}` });
  });
  app.use(
    (
      err: Error & { status?: number; type?: string },
      _req: Request,
      res: Response<ErrorResponse>,
      _next: NextFunction,
    ) => {
      const status = err.status && err.status >= 400 && err.status < 500 ? err.status : 500;
      if (status === 500) deps.log.error({ err: err.message }, 'request failed');
      res.status(status).json({ error: status === 500 ? 'internal error; see the server log' : err.message });
    },
  );
  return app;
}
