import express from 'express';
import type { Express, NextFunction, Request, Response } from 'express';
import type { WorkerLogger } from '../log/worker-logger.js';
import type { RepoRuntimeRegistry } from '../runtime/repo-runtime-registry.js';
import { requireBearerToken, requireJsonBody, requireLoopbackHost } from '@repovisor/kit';
import { eventsRouter } from './events-router.js';
import { pipelineGate } from './pipeline-gate.js';
import { runtimesRouter } from './runtimes-router.js';

/** What the worker's HTTP app serves from. */
export interface WorkerAppOptions {
  registry: RepoRuntimeRegistry;
  logger: WorkerLogger;
  /** The worker's token; when set, mutating calls need it as a bearer token. */
  token?: string;
}

/**
 * The worker's process-local HTTP app: `/api/runtimes` (HydraFlow's routes),
 * the pipeline's `/api/tasks`, `/api/pipeline`, `/api/hitl` and `/api/events`, `/healthz`, and a 404 on `/api/repos`, which only the supervisor serves.
 */
export function createWorkerApp(options: WorkerAppOptions): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.use(requireLoopbackHost);
  app.get('/healthz', (_request, response) => {
    response.json({ status: 'ok', pid: process.pid });
  });
  app.use(requireJsonBody);
  app.use(requireBearerToken(options.token));
  app.use('/api/runtimes', runtimesRouter(options.registry));
  app.use('/api/events', eventsRouter(options.registry));
  app.use('/api', pipelineGate(options.registry));
  app.use('/api/repos', (_request, response) => {
    response.status(404).json({
      error: 'Not served by a worker: /api/repos belongs to the Repovisor supervisor; ask the supervisor, or use /api/runtimes here',
    });
  });
  app.use((request, response) => {
    response.status(404).json({ error: `Not found: ${request.method} ${request.path}` });
  });
  // Express needs the four-argument signature to treat this as the error handler.
  app.use((error: unknown, request: Request, response: Response, _next: NextFunction) => {
    const status = httpStatusOf(error);
    if (status >= 500) options.logger.error({ err: error, path: request.path }, 'request failed');
    response.status(status).json({ error: status >= 500 ? 'Internal error' : (error as Error).message });
  });
  return app;
}

function httpStatusOf(error: unknown): number {
  const status = (error as { status?: unknown } | null)?.status;
  return typeof status === 'number' && status >= 400 && status < 600 ? status : 500;
}
