import { createServer } from 'node:net';
import type { AddressInfo, Server as NetServer, Socket } from 'node:net';
import type { Server as HttpServer } from 'node:http';
import type { Logger } from 'pino';

/** The HTTP API's port, bound before node:http is loaded; see {@link listenForApi}. */
export interface ApiListener {
  /** The bound address. */
  readonly address: AddressInfo;
  /** Gives the port, and every connection accepted so far, to `server`; resolves once it listens. */
  handOver(server: HttpServer): Promise<void>;
  /** Closes the port and the connections waiting on it (before the hand-over only). */
  close(): Promise<void>;
}

/**
 * Binds the HTTP API's port with a plain `net` server, so that a port in use
 * fails the start before any worker is launched, without loading node:http on
 * the path to the first launch. Connections that arrive before the HTTP server
 * exists wait, paused, and are handed to it with the port.
 */
export async function listenForApi(host: string, port: number, logger: Logger): Promise<ApiListener> {
  const early: Socket[] = [];
  const server: NetServer = createServer({ pauseOnConnect: true }, (socket) => {
    socket.on('error', () => socket.destroy());
    early.push(socket);
  });
  // One listener for both outcomes: events.once(server, 'listening') would itself reject with the bare error.
  await new Promise<void>((resolve, reject) => {
    const failed = (error: Error) => {
      server.off('listening', listening);
      reject(
        new Error(`Cannot listen on ${host}:${port} for the HTTP API: ${error.message}. Stop whatever uses that port or set supervisor.http.port in repos.yaml.`, {
          cause: error,
        }),
      );
    };
    const listening = () => {
      server.off('error', failed);
      resolve();
    };
    server.once('error', failed);
    server.once('listening', listening);
    server.listen({ host, port, exclusive: true });
  });
  // From now on an error is one failed accept (EMFILE when descriptors run out): the port stays open.
  server.on('error', (error) => logger.warn({ err: error }, 'the HTTP API could not accept a connection'));
  const address = server.address() as AddressInfo;
  let handedOver = false;
  return {
    address,
    handOver: async (http) => {
      handedOver = true;
      server.removeAllListeners('connection');
      http.on('error', (error) => logger.warn({ err: error }, 'the HTTP API could not accept a connection'));
      // listen(handle): the HTTP server takes over the bound socket itself; nothing is closed or rebound.
      await new Promise<void>((resolve) => http.listen(server, resolve));
      for (const socket of early.splice(0)) {
        if (socket.destroyed) continue;
        socket.removeAllListeners('error');
        http.emit('connection', socket);
        socket.resume();
      }
    },
    close: async () => {
      if (handedOver) return;
      for (const socket of early.splice(0)) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
