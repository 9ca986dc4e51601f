/**
 * The HTTP app (Express 5): security middleware first, API routers under /api/v1, then the web app.
 * Every error is JSON with a message; unknown API routes are 404; bad JSON bodies are 400.
 */
import express, {
  type NextFunction,
  type Request,
  type RequestHandler,
  type Response,
  type Router,
} from 'express';
import type { ErrorResponse } from '../contract/api.ts';
import type { Logger } from '../log.ts';

export interface AppDeps {
  log: Logger;
  /** Express `trust proxy` (default 'loopback'): e.g. 1 behind one proxy, or its subnet. */
  trustProxy?: boolean | number | string;
  /** Runs before every route: security headers, authentication (sets req.principal), origin checks. */
  before?: RequestHandler[];
  /** Routers mounted under /api/v1. */
  api: Router[];
  /** Mounted at the root after the API (Prometheus /metrics, the SvelteKit handler). */
  after?: RequestHandler[];
}

/** Builds the Express app. */
export function createApp(deps: AppDeps): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', deps.trustProxy ?? 'loopback');
  app.use(express.json({ limit: '64kb' }));
  for (const mw of deps.before ?? []) app.use(mw);
  const api = express.Router();
  for (const r of deps.api) api.use(r);
  api.use((req: Request, res: Response<ErrorResponse>) => {
    res.status(404).json({ error: `no route ${req.method} /api/v1${req.path}` });
  });
  app.use('/api/v1', api);
  for (const mw of deps.after ?? []) app.use(mw);
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
      if (status === 500) deps.log.error({ err: err.message, stack: err.stack }, 'request failed');
      const message =
        err.type === 'entity.parse.failed'
          ? `request body is not valid JSON: ${err.message}`
          : err.type === 'entity.too.large'
            ? 'request body is larger than 64 KiB'
            : status === 500
              ? 'internal error; see the server log'
              : err.message;
      res.status(status).json({ error: message });
    },
  );
  return app;
}
