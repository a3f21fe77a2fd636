import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import type { RepoManager } from '../manager/repo-manager.js';
import type { MetricsLoader } from './lazy-metrics.js';
import type { ReposListing } from './repos-listing.js';

// A strict subset of the loopback names the express guard accepts (isLoopbackHost of
// @repovisor/worker): any other Host, even a valid one, is left to the guard.
const PLAIN_LOOPBACK_HOST = /^(?:127\.0\.0\.1|localhost|\[::1\])(?::\d{1,5})?$/;

/** What the fast path answers from. */
export interface FastPathOptions {
  manager: RepoManager;
  listing: ReposListing;
  /** The Prometheus metrics, loaded on the first `GET /metrics`. */
  metrics: MetricsLoader;
  logger: Logger;
}

/**
 * Answers the hot read-only routes, `GET /api/repos`, `GET /healthz` and
 * `GET /metrics`, without express: same status, headers that matter and body
 * bytes. It only answers a request that every guard of the express app would
 * let through (a plain loopback Host, `GET`, no body); it returns false for
 * anything else, which the express app then handles, refusals included. So a
 * supervisor that is only listed, probed and scraped never loads express.
 */
export function answerFast(options: FastPathOptions, request: IncomingMessage, response: ServerResponse): boolean {
  if (request.method !== 'GET') return false;
  const url = request.url ?? '';
  const query = url.indexOf('?');
  const path = query < 0 ? url : url.slice(0, query);
  if (path !== '/api/repos' && path !== '/healthz' && path !== '/metrics') return false;
  const { host } = request.headers;
  if (host === undefined || !PLAIN_LOOPBACK_HOST.test(host)) return false;
  // A GET with a body would go through the JSON body parser (and its 400/413 answers).
  if (request.headers['transfer-encoding'] !== undefined) return false;
  const length = request.headers['content-length'];
  if (length !== undefined && length !== '0') return false;
  if (path === '/metrics') {
    answerMetrics(options, request, response);
    return true;
  }
  const repos = options.manager.all();
  if (path === '/healthz') {
    const body = JSON.stringify({ status: 'ok', pid: process.pid, repos: repos.length });
    response.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body) });
    response.end(body);
    return true;
  }
  const body = options.listing.json(repos);
  response.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body) });
  response.end(body);
  return true;
}

/** `GET /metrics`: the Prometheus text, or a 500 as the express app's error handler would answer it. */
function answerMetrics(options: FastPathOptions, request: IncomingMessage, response: ServerResponse): void {
  options
    .metrics()
    .then(async (metrics) => {
      const body = await metrics.registry.metrics();
      response.writeHead(200, { 'content-type': metrics.registry.contentType, 'content-length': Buffer.byteLength(body) });
      response.end(body);
    })
    .catch((error: unknown) => {
      options.logger.error({ err: error, path: request.url }, 'request failed');
      if (response.headersSent) return;
      const body = JSON.stringify({ error: 'Internal error' });
      response.writeHead(500, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body) });
      response.end(body);
    });
}
