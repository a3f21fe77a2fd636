import { once } from 'node:events';
import { createServer } from 'node:net';
import type { AddressInfo, Server, Socket } from 'node:net';
import { Connection, ErrorCodes, PROTOCOL_VERSION, ResponseError, WorkerNotifications, WorkerRequests } from '@repovisor/protocol';
import type { HelloParams } from '@repovisor/protocol';
import { waitFor } from './wait-for.js';

/** A worker that said hello to the {@link TestControlServer}. */
export interface AcceptedWorker {
  hello: HelloParams;
  connection: Connection;
  events: { type: string; data: Record<string, unknown> }[];
  states: { running: boolean; sessionId: string | null; lastError: string | null }[];
}

/**
 * A small control server for tests: accepts workers whose hello carries the
 * expected token, and records what they say.
 */
export class TestControlServer {
  readonly accepted: AcceptedWorker[] = [];
  readonly refused: HelloParams[] = [];
  private readonly sockets = new Set<Socket>();
  private server: Server | undefined;

  constructor(private readonly tokens: Record<string, string>) {}

  /** Listens on 127.0.0.1 and resolves with the port. */
  async listen(port = 0): Promise<number> {
    const server = createServer((socket) => this.accept(socket));
    this.server = server;
    server.listen(port, '127.0.0.1');
    await once(server, 'listening');
    return (server.address() as AddressInfo).port;
  }

  /** The `host:port` to give workers in REPOVISOR_CONTROL. */
  get address(): string {
    return `127.0.0.1:${(this.server?.address() as AddressInfo).port}`;
  }

  /** Resolves with the n-th (1-based) accepted hello of `slug`. */
  waitForWorker(slug: string, nth = 1): Promise<AcceptedWorker> {
    return waitFor(`hello number ${nth} of ${slug}`, () => this.accepted.filter((worker) => worker.hello.slug === slug)[nth - 1]);
  }

  /** Drops every connection (workers should redial). */
  dropConnections(): void {
    for (const socket of this.sockets) socket.destroy();
  }

  /** Stops listening and drops every connection. */
  async close(): Promise<void> {
    this.dropConnections();
    const server = this.server;
    this.server = undefined;
    if (server?.listening) await new Promise((resolve) => server.close(resolve));
  }

  private accept(socket: Socket): void {
    this.sockets.add(socket);
    socket.on('close', () => this.sockets.delete(socket));
    const connection = Connection.fromSocket(socket, { requestTimeoutMs: 10_000 });
    const worker: AcceptedWorker = { hello: undefined as unknown as HelloParams, connection, events: [], states: [] };
    connection.handle(WorkerRequests.hello, (hello) => {
      if (this.tokens[hello.slug] === undefined) {
        this.refused.push(hello);
        setImmediate(() => connection.close());
        throw new ResponseError(ErrorCodes.UnknownSlug, `Unknown slug: ${hello.slug}`);
      }
      if (this.tokens[hello.slug] !== hello.token) {
        this.refused.push(hello);
        setImmediate(() => connection.close());
        throw new ResponseError(ErrorCodes.Unauthorized, 'Wrong token');
      }
      worker.hello = hello;
      this.accepted.push(worker);
      return { protocolVersion: PROTOCOL_VERSION, supervisorPid: process.pid };
    });
    connection.onNotification(WorkerNotifications.event, (params) => worker.events.push(params.event));
    connection.onNotification(WorkerNotifications.runtimeState, (params) => worker.states.push(params));
  }
}
