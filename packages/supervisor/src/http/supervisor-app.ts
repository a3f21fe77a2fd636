import express from 'express';
import type { Express, NextFunction, Request, Response } from 'express';
import type { Logger } from 'pino';
import { requireBearerToken, requireJsonBody, requireLoopbackHost } from '@repovisor/kit';
import type { RepoManager } from '../manager/repo-manager.js';
import type { MetricsLoader } from './lazy-metrics.js';
import { ReposListing } from './repos-listing.js';
import { reposRouter } from './repos-router.js';

/** What the supervisor's HTTP app serves from. */
export interface SupervisorAppOptions {
  manager: RepoManager;
  /** The Prometheus metrics, made on the first `GET /metrics` (see lazyMetrics). */
  metrics: MetricsLoader;
  logger: Logger;
  /** The API token mutating calls must carry. */
  apiToken: string;
  dataRoot: (slug: string) => string;
  logFile: (slug: string) => string;
  /** Largest JSON body accepted (default 64 KiB; larger: 413). */
  bodyLimit?: string;
  /** The serialized listing shared with the fast path (default: one of its own). */
  listing?: ReposListing;
}

/** The supervisor's HTTP app: `/api/repos`, the runtimes proxy, `/healthz` and `/metrics`. */
export function createSupervisorApp(options: SupervisorAppOptions): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.use(requireLoopbackHost);
  app.get('/healthz', (_request, response) => {
    response.json({ status: 'ok', pid: process.pid, repos: options.manager.all().length });
  });
  app.get('/metrics', async (_request, response) => {
    const { registry } = await options.metrics();
    response.type(registry.contentType).send(await registry.metrics());
  });
  app.use(requireJsonBody);
  app.use(requireBearerToken(options.apiToken));
  app.use(express.json({ limit: options.bodyLimit ?? '64kb', type: 'application/json' }));
  const listing = options.listing ?? new ReposListing();
  app.use('/api/repos', reposRouter({ manager: options.manager, logger: options.logger, dataRoot: options.dataRoot, logFile: options.logFile, listing }));
  app.use((request, response) => {
    response.status(404).json({ error: `Not found: ${request.method} ${request.path}` });
  });
  // Express needs the four-argument signature to treat this as the error handler.
  app.use((error: unknown, request: Request, response: Response, _next: NextFunction) => {
    const status = statusOf(error);
    if (status >= 500) options.logger.error({ err: error, path: request.path }, 'request failed');
    if (response.headersSent) return;
    response.status(status).json({ error: status >= 500 ? 'Internal error' : messageOf(error, status) });
  });
  return app;
}

function statusOf(error: unknown): number {
  const status = (error as { status?: unknown } | null)?.status;
  return typeof status === 'number' && status >= 400 && status < 600 ? status : 500;
}

function messageOf(error: unknown, status: number): string {
  if (status === 413) return 'Payload too large: the body is over the limit';
  if (status === 400 && (error as { type?: string }).type === 'entity.parse.failed') return 'Invalid JSON body';
  return (error as Error).message;
}
