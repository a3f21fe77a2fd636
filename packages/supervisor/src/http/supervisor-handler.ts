import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Express } from 'express';
import { loadSupervisorApp } from '../lazy-modules.js';
import { answerFast } from './fast-path.js';
import { ReposListing } from './repos-listing.js';
import type { SupervisorAppOptions } from './supervisor-app.js';

/** The request listener of the supervisor's HTTP server. */
export type SupervisorHandler = (request: IncomingMessage, response: ServerResponse) => void;

/**
 * The supervisor's HTTP API as a `node:http` request listener: the fast path
 * answers `GET /api/repos`, `GET /healthz` and `GET /metrics`; every other
 * request goes to the express app of {@link createSupervisorApp}, which is
 * loaded on the first such request, so a supervisor that is only listed,
 * probed and scraped never loads express.
 */
export function createSupervisorHandler(options: Omit<SupervisorAppOptions, 'listing'>): SupervisorHandler {
  const listing = new ReposListing();
  let app: Promise<Express> | undefined;
  const load = () => loadSupervisorApp().then(({ createSupervisorApp }) => createSupervisorApp({ ...options, listing }));
  return (request, response) => {
    if (answerFast({ manager: options.manager, listing, metrics: options.metrics, logger: options.logger }, request, response)) return;
    app ??= load();
    app.then(
      (handle) => {
        handle(request, response);
      },
      (error: unknown) => {
        options.logger.error({ err: error, path: request.url }, 'cannot load the HTTP API');
        app = undefined;
        if (response.headersSent) return;
        response.writeHead(500, { 'content-type': 'application/json; charset=utf-8' });
        response.end(JSON.stringify({ error: 'Internal error' }));
      },
    );
  };
}
