import type { IncomingMessage, ServerResponse } from 'node:http';
import type { NextFunction, Request, Response } from 'express';
import type { RequestHandler as ProxyHandler } from 'http-proxy-middleware';
import type { Logger } from 'pino';
import { loadProxyLibrary } from '../lazy-modules.js';
import type { ManagedRepo } from '../manager/managed-repo.js';

// The worker routes the supervisor proxies: `/api/repos/<slug>/<route>…` goes to the worker's `/api/<route>…`.
const WORKER_ROUTES = ['runtimes', 'tasks', 'pipeline', 'hitl', 'events'] as const;

/** One of {@link WORKER_ROUTES}. */
export type WorkerRoute = (typeof WORKER_ROUTES)[number];

/** Whether a path segment after a slug names a proxied worker route. */
export function isWorkerRoute(segment: string | undefined): segment is WorkerRoute {
  return WORKER_ROUTES.some((route) => route === segment);
}

interface ProxiedRequest extends IncomingMessage {
  repovisorTarget?: { port: number; token: string; slug: string };
}

/** Forwards one request to a repo's worker: its route, the segments after it, and the request itself. */
export type WorkerProxy = (repo: ManagedRepo, route: WorkerRoute, rest: string[], request: Request, response: Response, next: NextFunction) => void;

/**
 * Proxies `/api/repos/<slug>/<route>…` (a {@link WorkerRoute}) to that
 * worker's `/api/<route>…`, with its method, query and body. The caller's API
 * token is checked before this runs and is replaced with the worker's own
 * token, so the API token never reaches a worker.
 */
export function workerProxy(logger: Logger): WorkerProxy {
  let proxy: Promise<ProxyHandler<ProxiedRequest, ServerResponse>> | undefined;
  const load = () => loadProxyLibrary().then(({ createProxyMiddleware, fixRequestBody }) => createProxyMiddleware<ProxiedRequest, ServerResponse>({
    changeOrigin: true,
    proxyTimeout: 10_000,
    router: (request) => `http://127.0.0.1:${request.repovisorTarget?.port ?? 0}`,
    on: {
      proxyReq: (proxyRequest, request) => {
        proxyRequest.removeHeader('authorization');
        proxyRequest.removeHeader('cookie');
        const target = request.repovisorTarget;
        if (target !== undefined) proxyRequest.setHeader('authorization', `Bearer ${target.token}`);
        // express.json consumed the body stream: it is written again from request.body.
        fixRequestBody(proxyRequest, request);
      },
      error: (error, request, response) => {
        const slug = request.repovisorTarget?.slug ?? 'unknown';
        logger.warn({ err: error, slug }, 'proxy to the worker failed');
        if ('headersSent' in response && !response.headersSent) {
          response.writeHead(502, { 'content-type': 'application/json' });
          response.end(JSON.stringify({ error: `Bad gateway: the worker of ${slug} did not answer (${error.message})` }));
        }
      },
    },
  }));

  return (repo, route, rest, request, response, next) => {
    const port = repo.workerHttpPort;
    if (port === null || repo.state !== 'running') {
      response.status(503).json({
        error: `The worker of ${repo.slug} is not available (state: ${repo.state}); its ${route} can be reached once it is running`,
      });
      return;
    }
    const query = request.url.includes('?') ? request.url.slice(request.url.indexOf('?')) : '';
    (request as ProxiedRequest).repovisorTarget = { port, token: repo.record.token, slug: repo.slug };
    request.url = `/api/${route}${rest.map((segment) => `/${encodeURIComponent(segment)}`).join('')}${query}`;
    proxy ??= load();
    proxy.then(
      (handler) => handler(request as ProxiedRequest, response, next),
      (error: unknown) => next(error),
    );
  };
}
