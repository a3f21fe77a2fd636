import type { IncomingMessage, ServerResponse } from 'node:http';
import type { NextFunction, Request, Response } from 'express';
import type { RequestHandler as ProxyHandler } from 'http-proxy-middleware';
import type { Logger } from 'pino';
import { loadProxyLibrary } from '../lazy-modules.js';
import type { ManagedRepo } from '../manager/managed-repo.js';

interface ProxiedRequest extends IncomingMessage {
  repovisorTarget?: { port: number; token: string; slug: string };
}

/**
 * Proxies `/api/repos/<slug>/runtimes…` to that worker's `/api/runtimes…`.
 * The caller's API token is checked before this runs and is replaced with the
 * worker's own token, so the API token never reaches a worker.
 */
export function runtimesProxy(logger: Logger): (repo: ManagedRepo, rest: string[], request: Request, response: Response, next: NextFunction) => void {
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

  return (repo, rest, request, response, next) => {
    const port = repo.workerHttpPort;
    if (port === null || repo.state !== 'running') {
      response.status(503).json({
        error: `The worker of ${repo.slug} is not available (state: ${repo.state}); its runtimes can be reached once it is running`,
      });
      return;
    }
    const query = request.url.includes('?') ? request.url.slice(request.url.indexOf('?')) : '';
    (request as ProxiedRequest).repovisorTarget = { port, token: repo.record.token, slug: repo.slug };
    request.url = `/api/runtimes${rest.map((segment) => `/${encodeURIComponent(segment)}`).join('')}${query}`;
    proxy ??= load();
    proxy.then(
      (handler) => handler(request as ProxiedRequest, response, next),
      (error: unknown) => next(error),
    );
  };
}
