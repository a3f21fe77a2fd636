import { once } from 'node:events';
import { createServer } from 'node:net';
import type { AddressInfo, Server, Socket } from 'node:net';
import { Connection, ErrorCodes, PROTOCOL_VERSION, ResponseError, WorkerRequests } from '@repovisor/protocol';
import type { HelloParams } from '@repovisor/protocol';
import type { Logger } from 'pino';
import type { HelloVerdict } from '../manager/managed-repo.js';

/** What the control server needs. */
export interface ControlServerOptions {
  host: string;
  port: number;
  logger: Logger;
  /** Decides on a worker's hello and adopts its connection when accepted. */
  authenticate: (hello: HelloParams, connection: Connection) => HelloVerdict;
  /** A connection that has not said hello by then is closed (default 10 s). */
  helloTimeoutMs?: number;
  /** The longest line accepted (default 1 MiB). */
  maxLineBytes?: number;
}

/**
 * The supervisor's TCP control port. Workers dial in and say `hello` with
 * their token; anything else that connects is closed after an error line, and
 * no client's bytes can disturb another connection.
 */
export class ControlServer {
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();

  constructor(private readonly options: ControlServerOptions) {}

  /** Listens on `port` (default: the configured one) and resolves with the bound port. */
  async listen(port = this.options.port): Promise<number> {
    const server = createServer((socket) => this.accept(socket));
    this.server = server;
    server.listen({ host: this.options.host, port, exclusive: true });
    await Promise.race([
      once(server, 'listening'),
      once(server, 'error').then(([error]) => {
        this.server = undefined;
        throw new Error(`Cannot listen on the control port ${this.options.host}:${port}: ${(error as Error).message}`, { cause: error });
      }),
    ]);
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
    const { logger } = this.options;
    const connection = Connection.fromSocket(socket, { logger, label: 'control', maxLineBytes: this.options.maxLineBytes });
    const helloTimer = setTimeout(() => {
      logger.warn({ remote: socket.remoteAddress }, 'control client said no hello in time; closing');
      connection.close();
    }, this.options.helloTimeoutMs ?? 10_000);
    connection.onClose(() => clearTimeout(helloTimer));
    let greeted = false;
    connection.handle(WorkerRequests.hello, (hello) => {
      if (greeted) throw new ResponseError(ErrorCodes.InvalidRequest, 'hello was already said on this connection');
      if (hello.protocolVersion !== PROTOCOL_VERSION) {
        this.refuse(connection, hello);
        throw new ResponseError(ErrorCodes.VersionMismatch, `Protocol version ${hello.protocolVersion} is not supported (expected ${PROTOCOL_VERSION})`);
      }
      const verdict = this.options.authenticate(hello, connection);
      if (!verdict.ok) {
        this.refuse(connection, hello);
        throw new ResponseError(verdict.code, verdict.message);
      }
      greeted = true;
      clearTimeout(helloTimer);
      return { protocolVersion: PROTOCOL_VERSION, supervisorPid: process.pid };
    });
    connection.onUnknownMessage(() => {
      connection.writeRaw({ status: 'error', error: 'unknown action' });
      void connection.closeAfterFlush();
    });
  }

  private refuse(connection: Connection, hello: HelloParams): void {
    this.options.logger.warn({ slug: hello.slug, pid: hello.pid }, 'refused a worker hello');
    // Closed once the error answer is written.
    setImmediate(() => void connection.closeAfterFlush());
  }
}
