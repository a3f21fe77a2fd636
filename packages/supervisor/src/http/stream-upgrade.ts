import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';
import { isLoopbackHost } from '@repovisor/kit';
import { loadEventStreams } from '../lazy-modules.js';
import type { RepoManager } from '../manager/repo-manager.js';
import type { StreamUpgrade } from './stream/event-streams.js';

/** The `upgrade` listener of the supervisor's HTTP server, and how to end its connections at stop. */
interface UpgradeHandler {
  handle(this: void, request: IncomingMessage, socket: Duplex, head: Buffer): void;
  /** Destroys every upgraded connection: `server.close()` waits for them, `closeAllConnections()` does not end them. */
  closeAll(): void;
}

/** Why an upgrade request is refused (an HTTP status line), or undefined: only `/ws`, from a loopback Host, as the API's reads. */
function refusal(request: IncomingMessage): string | undefined {
  const url = request.url ?? '';
  if (url !== '/ws' && !url.startsWith('/ws?')) return '404 Not Found';
  return isLoopbackHost(request.headers.host) ? undefined : '403 Forbidden';
}

/**
 * Serves WebSocket upgrades of `/ws`. Reads stay open on loopback, as the
 * HTTP API's are: a Host that does not name the loopback interface is refused
 * (403) against DNS rebinding. The streams (and `ws`) load on the first upgrade.
 */
export function createUpgradeHandler(manager: RepoManager, logger: Logger): UpgradeHandler {
  let streams: Promise<StreamUpgrade> | undefined;
  const sockets = new Set<Duplex>();
  const handle: UpgradeHandler['handle'] = (request, socket, head) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    const refused = refusal(request);
    if (refused !== undefined) {
      socket.end(`HTTP/1.1 ${refused}\r\nconnection: close\r\ncontent-length: 0\r\n\r\n`);
      return;
    }
    streams ??= loadEventStreams().then(({ createEventStreams }) => createEventStreams(manager, logger));
    streams.then(
      (upgrade) => upgrade(request, socket, head),
      (error: unknown) => {
        logger.error({ err: error }, 'cannot load the event streams');
        streams = undefined;
        socket.end('HTTP/1.1 500 Internal Server Error\r\nconnection: close\r\ncontent-length: 0\r\n\r\n');
      },
    );
  };
  return {
    handle,
    closeAll: () => {
      for (const socket of sockets) socket.destroy();
    },
  };
}
