import { Router } from 'express';
import type { Request, Response } from 'express';
import type { RepoRuntimeRegistry } from '../runtime/repo-runtime-registry.js';
import { RuntimeStateError } from '../runtime/runtime-state-error.js';

type Action = 'start' | 'stop';

/** Splits `/acme/alpha/start` into the slug and the action, if any. */
function parseTarget(segments: string[], method: string): { slug: string; action: Action | undefined } {
  const last = segments.at(-1);
  if (method === 'POST' && segments.length > 1 && (last === 'start' || last === 'stop')) {
    return { slug: segments.slice(0, -1).join('/'), action: last };
  }
  return { slug: segments.join('/'), action: undefined };
}

/**
 * The process-local `/api/runtimes` routes of HydraFlow's dashboard: list,
 * get, start, stop and remove the worker's runtime. Slugs may be given as
 * `owner/repo` (two path segments) or `owner-repo`.
 */
export function runtimesRouter(registry: RepoRuntimeRegistry): Router {
  const router = Router();

  router.get('/', (_request, response) => {
    response.json({ runtimes: registry.all().map((runtime) => runtime.info()) });
  });

  const target = async (request: Request<{ path: string[] }>, response: Response): Promise<void> => {
    const { slug, action } = parseTarget(request.params.path, request.method);
    const runtime = registry.get(slug);
    if (runtime === undefined) {
      response.status(404).json({ error: `Unknown repo: ${slug}` });
      return;
    }
    if (request.method === 'GET' && action === undefined) {
      response.json(runtime.info());
    } else if (request.method === 'DELETE' && action === undefined) {
      await registry.remove(runtime.slug);
      response.json({ status: 'removed', slug: runtime.slug });
    } else if (action === 'start') {
      try {
        await runtime.start();
        response.json({ status: 'started', slug: runtime.slug });
      } catch (error) {
        if (!(error instanceof RuntimeStateError)) throw error;
        response.status(409).json({ error: 'Already running' });
      }
    } else if (action === 'stop') {
      try {
        await runtime.stop();
        response.json({ status: 'stopped', slug: runtime.slug });
      } catch (error) {
        if (!(error instanceof RuntimeStateError)) throw error;
        response.status(400).json({ error: 'Not running' });
      }
    } else {
      response.status(405).json({ error: `Method ${request.method} is not allowed on ${request.originalUrl}` });
    }
  };
  router.all('/*path', target);
  return router;
}
