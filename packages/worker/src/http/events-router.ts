import { Router } from 'express';
import { toHydraFlowEvent } from '../events/hydraflow-event.js';
import type { RepoRuntimeRegistry } from '../runtime/repo-runtime-registry.js';
import { integerParameter } from './query-parameters.js';

/** The default and the most events one `GET /api/events` answers. */
const EVENTS_LIMIT = { fallback: 500, max: 5000 } as const;

/**
 * `GET /api/events?since=<id>&limit=<n>`: the worker's runtime's events after id
 * `since` (0 when absent), oldest first, in HydraFlow's envelope
 * `{id, type, timestamp, data, session_id, repo}`. A client polls with the
 * last id it saw. Only the most recent events are kept in memory.
 */
export function eventsRouter(registry: RepoRuntimeRegistry): Router {
  const router = Router();
  router.get('/', (request, response) => {
    const since = integerParameter(request.query.since, 0, 0, Number.MAX_SAFE_INTEGER);
    const limit = integerParameter(request.query.limit, EVENTS_LIMIT.fallback, 1, EVENTS_LIMIT.max);
    if (since === undefined || limit === undefined) {
      response.status(400).json({ error: `since must be a whole number (an event id, 0 for the oldest) and limit one from 1 to ${EVENTS_LIMIT.max}` });
      return;
    }
    const runtime = registry.all()[0];
    response.json({ events: runtime === undefined ? [] : runtime.bus.since(since, limit).map(toHydraFlowEvent) });
  });
  return router;
}
