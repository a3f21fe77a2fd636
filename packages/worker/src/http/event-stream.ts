import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import type { WebSocket } from 'ws';
import { sendBounded } from '@repovisor/kit';
import type { WorkerLogger } from '../log/worker-logger.js';
import type { RepoRuntimeRegistry } from '../runtime/repo-runtime-registry.js';
import { REPLAY_LIMIT, eventFrame, replayDoneFrame, sinceParameter } from './event-frames.js';

/** Hands one upgrade request of `/ws` to the event stream. */
export type EventStreamUpgrade = (request: IncomingMessage, socket: Duplex, head: Buffer) => void;

/** Closes with 1008 (policy violation), HydraFlow's answer to an unknown repo. */
const POLICY = 1008;

/**
 * The worker's `/ws?repo=<slug>&since=<id>`: the runtime's events after
 * `since` (the recent ones when absent), a `replay_done` frame, then every
 * new event as it is published. An unknown repo, or a `since` that is not a
 * whole number, closes with 1008. A client that leaves too much unread is
 * dropped (1013), never waited for.
 */
export function createEventStream(registry: RepoRuntimeRegistry, logger: WorkerLogger): EventStreamUpgrade {
  const server = new WebSocketServer({ noServer: true, perMessageDeflate: false });
  const serve = (socket: WebSocket, url: URL) => {
    const slug = url.searchParams.get('repo');
    const runtime = slug === null ? registry.all()[0] : registry.get(slug);
    if (runtime === undefined) {
      socket.close(POLICY, `Unknown repo: ${(slug ?? '').slice(0, 80)}; this worker runs ${registry.slugs().join(', ')}`.slice(0, 123));
      return;
    }
    const since = sinceParameter(url.searchParams.get('since'));
    if (since === null) {
      socket.close(POLICY, 'since must be a whole number: the last event id the client saw');
      return;
    }
    const replay = since === undefined ? runtime.bus.recent(REPLAY_LIMIT) : runtime.bus.since(since, REPLAY_LIMIT);
    let lastId = replay.at(-1)?.seq ?? since ?? 0;
    // Subscribed in the same turn as the replay was read: no event falls between them.
    const subscription = runtime.bus.subscribe((event) => {
      if (event.seq <= lastId) return;
      lastId = event.seq;
      if (!sendBounded(socket, JSON.stringify(eventFrame(event)))) subscription.dispose();
    });
    socket.on('close', () => subscription.dispose());
    socket.on('error', (error) => logger.debug({ err: error }, 'a /ws client failed'));
    for (const event of replay) if (!sendBounded(socket, JSON.stringify(eventFrame(event)))) return;
    sendBounded(socket, JSON.stringify(replayDoneFrame(runtime.slug, lastId)));
  };
  return (request, socket, head) => {
    server.handleUpgrade(request, socket, head, (client) => serve(client, new URL(request.url ?? '/', 'http://localhost')));
  };
}
