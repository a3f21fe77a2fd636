import { createServer } from 'node:net';
import type { AddressInfo, Server, Socket } from 'node:net';
import { PassThrough } from 'node:stream';
import { Connection, DEFAULT_MAX_LINE_BYTES, ErrorCodes, PROTOCOL_VERSION, ResponseError, WorkerRequests } from '@repovisor/protocol';
import type { HelloParams } from '@repovisor/protocol';
import type { Logger } from 'pino';
import type { HelloVerdict } from '../manager/managed-repo.js';
import { isActionLine } from './action-requests.js';
import { answerAndClose } from './answer-and-close.js';
import { ControlActions } from './control-actions.js';
import type { ControlActionsOptions } from './control-actions.js';
import { readFirstLine } from './first-line.js';
import type { FirstLine } from './first-line.js';

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
 * The supervisor's TCP control port. Its first line tells a client apart:
 * workers say `hello` with their token and keep the connection; HydraFlow CLI
 * clients send one `{"action": …}` line, get one answer line, and are closed.
 * Anything else is closed after an error line, and no client's bytes can
 * disturb another connection.
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
    // For good, so an error after the socket changed hands is never uncaught.
    socket.on('error', (error) => this.options.logger.debug({ err: error }, 'control socket error'));
    socket.setNoDelay(true);
    const timeoutMs = this.timeoutMs;
    const state: AcceptState = {
      onTimeout: () => {
        this.options.logger.warn({ remote: socket.remoteAddress }, 'a control client sent no complete line in time; closing');
        answerAndClose(socket, { status: 'error', error: `timeout: no complete line within ${timeoutMs} ms; send one JSON object followed by a newline` }, timeoutMs);
      },
      timer: undefined,
    };
    state.timer = setTimeout(() => state.onTimeout(), timeoutMs);
    socket.on('close', () => clearTimeout(state.timer));
    readFirstLine(socket, this.options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES)
      .then((first) => this.route(socket, first, state))
      .catch((error: unknown) => {
        this.options.logger.error({ err: error }, 'could not serve a control connection; closing it');
        socket.destroy();
      });
  }

  private get timeoutMs(): number {
    return this.options.helloTimeoutMs ?? 10_000;
  }

  /** Sends the connection where its first line says it belongs. */
  private async route(socket: Socket, first: FirstLine, state: AcceptState): Promise<void> {
    const { logger } = this.options;
    // The first-line timeout already answered and closed this one.
    if (socket.destroyed || socket.writableEnded) return;
    switch (first.kind) {
      case 'closed':
        return;
      case 'ended':
        socket.destroy();
        return;
      case 'too_long':
        logger.warn({ remote: socket.remoteAddress, receivedBytes: first.receivedBytes }, 'closing a control connection: its first line passes the size limit');
        socket.destroy();
        return;
      case 'line':
        break;
      default:
        first satisfies never;
    }
    let value: unknown;
    try {
      value = JSON.parse(first.line.toString('utf8'));
    } catch (error) {
      // Answered in the action clients' shape; the rest of the stream can never run an action.
      const answer = { status: 'error', error: `invalid JSON: ${(error as Error).message}`, code: ErrorCodes.ParseError };
      if (first.ended) {
        clearTimeout(state.timer);
        answerAndClose(socket, answer, this.timeoutMs);
        return;
      }
      socket.write(`${JSON.stringify(answer)}\n`);
      this.serveWorker(socket, first.rest, false, state);
      return;
    }
    if (isActionLine(value)) {
      clearTimeout(state.timer);
      await this.serveAction(socket, value);
      return;
    }
    this.serveWorker(socket, Buffer.concat([first.line, Buffer.from('\n'), first.rest]), first.ended, state);
  }

  private async serveAction(socket: Socket, value: Record<string, unknown>): Promise<void> {
    let answer: unknown;
    try {
      answer = this.actions === undefined ? { status: 'error', error: 'unknown action' } : await this.actions.answer(value);
    } catch (error) {
      this.options.logger.error({ err: error, action: typeof value.action === 'string' ? value.action : undefined }, 'a control action failed');
      answer = { status: 'error', error: `internal error: ${(error as Error).message}` };
    }
    answerAndClose(socket, answer, this.timeoutMs);
  }

  /** A worker's connection: `head` (its first line, fed back) then the rest of the socket. */
  private serveWorker(socket: Socket, head: Buffer, ended: boolean, state: AcceptState): void {
    const { logger } = this.options;
    const input = ended || socket.readableEnded ? endedInput(socket, head) : socket;
    // The connection reads the socket itself, its first line put back in front: no stream in
    // between, which would cost every worker's connection a copy of each chunk and its own buffers.
    if (input === socket) socket.unshift(head);
    const connection = new Connection(input, socket, { logger, label: 'control', maxLineBytes: this.options.maxLineBytes, ownsStreams: true });
    // readFirstLine paused the socket; it flows again once the connection reads it.
    if (input === socket) socket.resume();
    state.onTimeout = () => {
      logger.warn({ remote: socket.remoteAddress }, 'control client said no hello in time; closing');
      connection.close();
    };
    connection.onClose(() => clearTimeout(state.timer));
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
      clearTimeout(state.timer);
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

/**
 * The input of a connection whose socket has already ended: a socket cannot take
 * data back after its end, so its first line is read from a stream of its own.
 */
function endedInput(socket: Socket, head: Buffer): PassThrough {
  const input = new PassThrough();
  input.end(head);
  socket.once('close', () => input.destroy());
  return input;
}

/** A connection's one deadline: for its first line, then (as a worker) for its hello. */
interface AcceptState {
  onTimeout: () => void;
  timer: NodeJS.Timeout | undefined;
}
