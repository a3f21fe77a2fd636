import { createServer } from 'node:net';
import type { AddressInfo, Server, Socket } from 'node:net';
import type { Connection, HelloParams } from '@repovisor/protocol';
import type { Logger } from 'pino';
import type { HelloVerdict } from '../manager/managed-repo.js';
import { ControlActions } from './control-actions.js';
import type { ControlActionsOptions } from './control-actions.js';
import { ControlConnection } from './control-connection.js';

/** What the control server needs. */
export interface ControlServerOptions {
  host: string;
  port: number;
  logger: Logger;
  /** Decides on a worker's hello and adopts its connection when accepted. */
  authenticate: (hello: HelloParams, connection: Connection) => HelloVerdict;
  /** HydraFlow's one-shot CLI actions; without it, every action is answered `unknown action`. */
  actions?: ControlActionsOptions;
  /** A connection that has not sent a line, or as a worker not said hello, by then is closed (default 10 s). */
  helloTimeoutMs?: number;
  /** The longest line accepted (default 1 MiB). */
  maxLineBytes?: number;
}

/**
 * The supervisor's TCP control port. Every connection is read by one protocol
 * `Connection` (see {@link ControlConnection}): workers say `hello` with their
 * token and keep the connection; HydraFlow CLI clients send one
 * `{"action": …}` line, get one answer line, and are closed. Anything else is
 * closed after an error line, and no client's bytes can disturb another
 * connection.
 */
export class ControlServer {
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  private readonly actions: ControlActions | undefined;

  constructor(private readonly options: ControlServerOptions) {
    this.actions = options.actions === undefined ? undefined : new ControlActions(options.actions, options.logger);
  }

  /** Listens on `port` (default: the configured one) and resolves with the bound port. */
  async listen(port = this.options.port): Promise<number> {
    // Half-open: a client may end its side right after its line and still get the answer.
    const server = createServer({ allowHalfOpen: true }, (socket) => this.accept(socket));
    this.server = server;
    // One listener for both outcomes: events.once(server, 'listening') would itself reject with the bare error.
    await new Promise<void>((resolve, reject) => {
      const failed = (error: Error) => {
        server.off('listening', listening);
        this.server = undefined;
        reject(new Error(`Cannot listen on the control port ${this.options.host}:${port}: ${error.message}`, { cause: error }));
      };
      const listening = () => {
        server.off('error', failed);
        resolve();
      };
      server.once('error', failed);
      server.once('listening', listening);
      server.listen({ host: this.options.host, port, exclusive: true });
    });
    // From now on an error is one failed accept (EMFILE when descriptors run out): the port stays open,
    // and the worker whose connection was dropped dials again.
    server.on('error', (error) => this.options.logger.warn({ err: error }, 'the control port could not accept a connection'));
    return this.port;
  }

  /** The bound port. */
  get port(): number {
    return (this.server?.address() as AddressInfo).port;
  }

  /** `host:port` for workers' REPOVISOR_CONTROL. */
  get address(): string {
    const host = this.options.host === '0.0.0.0' || this.options.host === '::' ? '127.0.0.1' : this.options.host;
    return host.includes(':') ? `[${host}]:${this.port}` : `${host}:${this.port}`;
  }

  /** Stops listening and closes every connection. */
  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    const server = this.server;
    this.server = undefined;
    if (server?.listening) await new Promise((resolve) => server.close(resolve));
  }

  private accept(socket: Socket): void {
    this.sockets.add(socket);
    socket.on('close', () => this.sockets.delete(socket));
    // For good, so an error after the connection closed is never uncaught.
    socket.on('error', (error) => this.options.logger.debug({ err: error }, 'control socket error'));
    socket.setNoDelay(true);
    const { logger, authenticate, maxLineBytes } = this.options;
    new ControlConnection(socket, { logger, authenticate, actions: this.actions, timeoutMs: this.options.helloTimeoutMs ?? 10_000, maxLineBytes });
  }
}
