import type { RequestHandler } from 'express';
import { loadPipelineRouter } from '../lazy-modules.js';
import type { RepoRuntimeRegistry } from '../runtime/repo-runtime-registry.js';

const PIPELINE_PATHS = /^\/(tasks|pipeline|hitl)(\/|$)/;

/**
 * Mounted at `/api`: sends `/tasks…`, `/pipeline` and `/hitl…` to the
 * pipeline's routes when the worker's runtime runs the pipeline (loading them
 * on the first such request), and answers 404 with the repos.yaml key that
 * enables it when it does not, so that a worker without the pipeline never
 * loads any of it.
 */
export function pipelineGate(registry: RepoRuntimeRegistry): RequestHandler {
  let router: Promise<RequestHandler> | undefined;
  return (request, response, next) => {
    if (!PIPELINE_PATHS.test(request.path)) return next();
    // One runtime a worker; it is gone once DELETE /api/runtimes/:slug removed it.
    const runtime = registry.all()[0];
    const pipeline = runtime?.pipeline;
    if (runtime === undefined || pipeline === undefined) {
      const why = runtime === undefined ? 'this worker has no runtime any more (it was removed)' : `the pipeline is not enabled for ${runtime.slug}: set pipeline.enabled: true (with an agent) in repos.yaml`;
      response.status(404).json({ error: `Not available: ${why}` });
      return;
    }
    router ??= loadPipelineRouter(pipeline, runtime.config.dataRoot);
    router.then((handler) => handler(request, response, next), next);
  };
}
