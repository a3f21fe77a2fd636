import type { Socket } from 'node:net';
import { Connection, ErrorCodes, LineTooLongError, PROTOCOL_VERSION, ResponseError, WorkerRequests } from '@repovisor/protocol';
import type { Disposable } from '@repovisor/kit';
import type { CloseInfo, HelloParams, Welcome } from '@repovisor/protocol';
import type { Logger } from 'pino';
import type { HelloVerdict } from '../manager/managed-repo.js';
import { isActionLine } from './action-requests.js';
import type { ControlActions } from './control-actions.js';
import { lingerClose } from './linger-close.js';

/** What serving one control connection needs. */
export interface ControlConnectionOptions {
  logger: Logger;
  /** Decides on a worker's hello and adopts its connection when accepted. */
  authenticate: (hello: HelloParams, connection: Connection) => HelloVerdict;
  /** HydraFlow's one-shot CLI actions; without them, every action is answered `unknown action`. */
  actions: ControlActions | undefined;
  /** The deadline for a first line, then for a worker's hello; also how long a closing client may linger. */
  timeoutMs: number;
  maxLineBytes: number | undefined;
}

/**
 * One connection to the control port, read by a single {@link Connection}.
 * A worker's first line is its `hello`, after which the connection is the
 * worker's. A HydraFlow CLI client's first line, `{"action": …}`, is no
 * protocol message: it reaches `onUnknownMessage`, gets one answer line, and
 * the connection closes. Until a hello is accepted, a line that is not JSON is
 * answered in the CLI clients' shape.
 */
export class ControlConnection {
  private readonly connection: Connection;
  private readonly remote: string | undefined;
  private readonly deadline: NodeJS.Timeout;
  private readonly clientParseErrors: Disposable;
  private greeted = false;

  constructor(
    private readonly socket: Socket,
    private readonly options: ControlConnectionOptions,
  ) {
    this.remote = socket.remoteAddress;
    // The streams are not the connection's: onClose ends the socket gently, so that a last answer is not lost to a reset.
    this.connection = new Connection(socket, socket, {
      logger: options.logger,
      label: 'control',
      maxLineBytes: options.maxLineBytes,
      // `printf '{"action":"ping"}' | nc -N` sends no newline before its end.
      readUnterminatedLastLine: true,
    });
    this.deadline = setTimeout(() => this.onDeadline(), options.timeoutMs);
    this.connection.handle(WorkerRequests.hello, (hello) => this.hello(hello));
    this.connection.onUnknownMessage((message) => this.onUnknownMessage(message));
    this.clientParseErrors = this.connection.onParseError((error) =>
      this.connection.writeRaw({ status: 'error', error: `invalid JSON: ${error.message}`, code: ErrorCodes.ParseError }),
    );
    this.connection.onClose((info) => this.onClose(info));
  }

  private hello(hello: HelloParams): Welcome {
    if (this.greeted) throw new ResponseError(ErrorCodes.InvalidRequest, 'hello was already said on this connection');
    if (hello.protocolVersion !== PROTOCOL_VERSION) {
      this.refuse(hello);
      throw new ResponseError(ErrorCodes.VersionMismatch, `Protocol version ${hello.protocolVersion} is not supported (expected ${PROTOCOL_VERSION})`);
    }
    const verdict = this.options.authenticate(hello, this.connection);
    if (!verdict.ok) {
      this.refuse(hello);
      throw new ResponseError(verdict.code, verdict.message);
    }
    this.greeted = true;
    clearTimeout(this.deadline);
    // A worker's bad lines get the protocol's own parse_error.
    this.clientParseErrors.dispose();
    return { protocolVersion: PROTOCOL_VERSION, supervisorPid: process.pid };
  }

  private refuse(hello: HelloParams): void {
    this.options.logger.warn({ slug: hello.slug, pid: hello.pid }, 'refused a worker hello');
    // Closed once the error answer is written.
    setImmediate(() => void this.connection.closeAfterFlush());
  }

  /** An action is run only as the first line: after garbage (an HTTP request, say) or a hello it never is. */
  private async onUnknownMessage(message: unknown): Promise<void> {
    const first = this.connection.linesReceived === 1;
    let answer: unknown = { status: 'error', error: 'unknown action' };
    if (first && isActionLine(message)) {
      clearTimeout(this.deadline);
      answer = await this.answerAction(message);
    }
    this.connection.writeRaw(answer);
    void this.connection.closeAfterFlush();
  }

  private async answerAction(request: Record<string, unknown>): Promise<unknown> {
    const { actions, logger } = this.options;
    if (actions === undefined) return { status: 'error', error: 'unknown action' };
    try {
      return await actions.answer(request);
    } catch (error) {
      logger.error({ err: error, action: typeof request.action === 'string' ? request.action : undefined }, 'a control action failed');
      return { status: 'error', error: `internal error: ${(error as Error).message}` };
    }
  }

  private onDeadline(): void {
    const { logger, timeoutMs } = this.options;
    if (this.connection.linesReceived > 0) {
      logger.warn({ remote: this.remote }, 'control client said no hello in time; closing');
      this.connection.close();
      return;
    }
    logger.warn({ remote: this.remote }, 'a control client sent no complete line in time; closing');
    this.connection.writeRaw({ status: 'error', error: `timeout: no complete line within ${timeoutMs} ms; send one JSON object followed by a newline` });
    void this.connection.closeAfterFlush();
  }

  private onClose({ reason, error }: CloseInfo): void {
    clearTimeout(this.deadline);
    if (reason === 'line_too_long' && this.connection.linesReceived === 0) {
      const receivedBytes = error instanceof LineTooLongError ? error.receivedBytes : undefined;
      this.options.logger.warn({ remote: this.remote, receivedBytes }, 'closing a control connection: its first line passes the size limit');
    }
    if (reason === 'line_too_long' || reason === 'error') this.socket.destroy();
    else lingerClose(this.socket, this.options.timeoutMs);
  }
}
