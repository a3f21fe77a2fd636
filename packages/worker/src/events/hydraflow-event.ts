import type { RuntimeEvent } from './runtime-event.js';

/** An event in HydraFlow's envelope, as `GET /api/events` answers it. */
export interface HydraFlowEvent {
  id: number;
  type: string;
  timestamp: string;
  data: Record<string, unknown>;
  session_id: string | null;
  repo: string;
}

/** The envelope of `event`: its sequence number is its id, its slug the repo. */
export function toHydraFlowEvent(event: RuntimeEvent): HydraFlowEvent {
  return { id: event.seq, type: event.type, timestamp: event.at, data: event.data, session_id: event.session, repo: event.slug };
}
