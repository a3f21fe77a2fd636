import { rm } from 'node:fs/promises';
import { Router } from 'express';
import type { Request, Response, NextFunction } from 'express';
import type { Logger } from 'pino';
import { formatIssueLines } from '@repovisor/kit';
import * as z from 'zod/mini';
import { logFileAndCopies } from '../launch/log-rotator.js';
import { LifecycleConflictError } from '../manager/lifecycle-error.js';
import type { ManagedRepo } from '../manager/managed-repo.js';
import { RepoConflictError } from '../manager/repo-manager.js';
import type { RepoManager } from '../manager/repo-manager.js';
import { newRepoRecord } from '../manager/new-repo-record.js';
import { resolveRepoTarget } from './repo-target.js';
import type { ReposListing } from './repos-listing.js';
import { isWorkerRoute, workerProxy } from './worker-proxy.js';

/** The body of `POST /api/repos`. */
const AddRepoBody = z.strictObject({
  path: z.string().check(z.minLength(1, 'path must not be empty'), z.maxLength(4096)),
  slug: z.optional(z.string().check(z.minLength(1), z.maxLength(200))),
  autostart: z.optional(z.boolean()),
});

/** What the repos router serves from. */
export interface ReposRouterOptions {
  manager: RepoManager;
  logger: Logger;
  /** The data root and log file of a slug, for `DELETE …?purge=true` (which deletes both, and the log's rotated copies). */
  dataRoot: (slug: string) => string;
  logFile: (slug: string) => string;
  /** Serializes the listing of `GET /api/repos`. */
  listing: ReposListing;
}

/**
 * `/api/repos`: the supervisor-level registry (list, add, get, delete, start,
 * stop, restart) and the proxy to each worker's routes (`/api/runtimes`,
 * `/api/tasks`, `/api/pipeline`, `/api/hitl`, `/api/events`).
 */
export function reposRouter(options: ReposRouterOptions): Router {
  const { manager } = options;
  const router = Router();
  const proxy = workerProxy(options.logger);

  router.get('/', (_request, response) => {
    // The same bytes as the fast path's answer, for the requests it leaves to express (HEAD, `/api/repos/`, …).
    response.type('json').send(options.listing.json(manager.all()));
  });

  router.post('/', async (request, response) => {
    const body = AddRepoBody.safeParse(request.body ?? {});
    if (!body.success) {
      response.status(400).json({
        error: 'Invalid body: expected {path, slug?, autostart?}',
        details: formatIssueLines(body.error.issues, 'body'),
      });
      return;
    }
    const made = await newRepoRecord(body.data, 'api');
    if (!made.ok) {
      response.status(400).json({ error: made.message });
      return;
    }
    try {
      const repo = await manager.add(made.record, made.record.autostart);
      response.status(201).json(repo.view());
    } catch (error) {
      if (!(error instanceof RepoConflictError)) throw error;
      response.status(409).json({ error: error.message });
    }
  });

  const bySlug = async (request: Request<{ path: string[] }>, response: Response, next: NextFunction): Promise<void> => {
    const target = resolveRepoTarget(manager, request.params.path);
    if (target.repo === undefined) {
      response.status(404).json({ error: `Unknown repo: ${target.slug}` });
      return;
    }
    const { repo, rest } = target;
    const [action, ...more] = rest;
    if (isWorkerRoute(action)) {
      if (action === 'runtimes' && request.method === 'DELETE' && more.length > 0) {
        // A worker without its runtime would look healthy and do nothing.
        response.status(405).json({ error: `Removing the runtime through the proxy would leave an empty worker; use DELETE /api/repos/${repo.slug}` });
        return;
      }
      proxy(repo, action, more, request, response, next);
      return;
    }
    if (rest.length === 0 && request.method === 'GET') {
      response.json(repo.view());
    } else if (rest.length === 0 && request.method === 'DELETE') {
      await remove(repo, request, response);
    } else if (rest.length === 1 && request.method === 'POST' && (action === 'start' || action === 'stop' || action === 'restart')) {
      await lifecycle(repo, action, response);
    } else if (rest.length === 1 && (action === 'start' || action === 'stop' || action === 'restart')) {
      response.status(405).json({ error: `Use POST for ${action}` });
    } else {
      response.status(404).json({ error: `Not found: ${request.method} ${request.originalUrl}` });
    }
  };

  const remove = async (repo: ManagedRepo, request: Request, response: Response): Promise<void> => {
    const purge = request.query.purge === 'true';
    // Removals are serialised: a racing DELETE may have removed it first.
    if (!(await manager.remove(repo.slug))) {
      response.status(404).json({ error: `Unknown repo: ${repo.slug}` });
      return;
    }
    if (purge) {
      // All of it: a slug added again later must not carry on in the old log.
      await rm(options.dataRoot(repo.slug), { recursive: true, force: true });
      for (const file of logFileAndCopies(options.logFile(repo.slug))) await rm(file, { force: true });
    }
    response.json({ status: 'removed', slug: repo.slug, purged: purge });
  };

  const lifecycle = async (repo: ManagedRepo, action: 'start' | 'stop' | 'restart', response: Response): Promise<void> => {
    try {
      if (action === 'start') repo.start();
      else if (action === 'stop') await repo.stop();
      else await repo.restart();
      response.json(repo.view());
    } catch (error) {
      if (!(error instanceof LifecycleConflictError)) throw error;
      response.status(409).json({ error: error.message });
    }
  };

  router.all('/*path', bySlug);
  return router;
}
