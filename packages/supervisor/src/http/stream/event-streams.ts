import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import type { Logger } from 'pino';
import type { RepoManager } from '../../manager/repo-manager.js';
import { ALL_REPOS, ClientStream } from './client-stream.js';
import { parseSince } from './since-parameter.js';

/** Hands one upgrade request of `/ws` to the supervisor's event streams. */
export type StreamUpgrade = (request: IncomingMessage, socket: Duplex, head: Buffer) => void;

/** Closes with 1008 (policy violation), HydraFlow's answer to an unknown repo. */
const POLICY = 1008;

/**
 * The supervisor's `/ws?repo=<slug>` and `/ws?repo=__all__`: each client gets
 * a {@link ClientStream}. An unknown repo, a missing `repo` or a bad `since`
 * closes with 1008 and a reason.
 */
export function createEventStreams(manager: RepoManager, logger: Logger): StreamUpgrade {
  const server = new WebSocketServer({ noServer: true, perMessageDeflate: false });
  return (request, socket, head) => {
    server.handleUpgrade(request, socket, head, (client) => {
      const url = new URL(request.url ?? '/', 'http://localhost');
      const name = url.searchParams.get('repo');
      const since = parseSince(url.searchParams.get('since'));
      const repo = name === ALL_REPOS ? ALL_REPOS : name === null ? undefined : manager.get(name);
      if (repo === undefined) {
        const reason = name === null ? 'repo is required: /ws?repo=<slug> or /ws?repo=__all__' : `Unknown repo: ${name.slice(0, 80)}; GET /api/repos lists them`;
        client.close(POLICY, reason.slice(0, 123));
        return;
      }
      if (!since.ok) {
        client.close(POLICY, since.reason.slice(0, 123));
        return;
      }
      new ClientStream(client, manager, { repo, since: (each) => since.perRepo.get(each.slug) ?? since.all }, logger);
    });
  };
}
