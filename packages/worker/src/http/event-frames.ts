import type { RuntimeEvent } from '../events/runtime-event.js';

/** How many events a new `/ws` client is sent first, at most (HydraFlow replays 5000; the bus keeps fewer). */
export const REPLAY_LIMIT = 5000;

/** A `/ws` frame in HydraFlow's shape; `data.repo` (and `repo`) is the runtime's slug. */
export interface EventFrame {
  id: number | null;
  type: string;
  timestamp: string;
  data: Record<string, unknown>;
  session_id: string | null;
  repo: string;
}

/** The frame of a runtime event: its sequence number is its id. */
export function eventFrame(event: RuntimeEvent): EventFrame {
  return { id: event.seq, type: event.type, timestamp: event.at, data: { ...event.data, repo: event.slug }, session_id: event.session, repo: event.slug };
}

/** The frame that ends the replay: every frame after it is live; `data.last_id` is the last replayed id (or `since`). */
export function replayDoneFrame(slug: string, lastId: number): EventFrame {
  return { id: null, type: 'replay_done', timestamp: new Date().toISOString(), data: { repo: slug, last_id: lastId }, session_id: null, repo: slug };
}

/** `since` of a `/ws` URL: absent (undefined), a whole number, or null when it is anything else. */
export function sinceParameter(value: string | null): number | undefined | null {
  if (value === null) return undefined;
  return /^\d{1,15}$/.test(value) ? Number(value) : null;
}
