import { WebSocket } from 'ws';
import type { Logger } from 'pino';
import type { ManagedRepo } from '../../manager/managed-repo.js';
import { parseWorkerFrame } from './stream-frames.js';
import type { StreamFrame } from './stream-frames.js';

/** How long after losing a live worker's stream it is dialled again. */
const REDIAL_MS = 1000;

/** A worker's refusal (an unknown repo, a bad since): dialling again would get the same. */
const POLICY = 1008;

/** What a {@link WorkerUpstream} tells its client stream. */
export interface UpstreamListener {
  /** A worker event (a frame with an id). */
  frame(frame: StreamFrame): void;
  /** The worker's replay ended (once per upstream, on its first connection). */
  replayed(slug: string): void;
}

/**
 * One repo's worker `/ws`, dialled for one client with the worker's token, as
 * the HTTP proxy does. It remembers the last id it passed on, so that when the
 * worker restarts, {@link WorkerUpstream.connect} asks the new one for what
 * came after it: nothing is passed on twice.
 */
export class WorkerUpstream {
  private socket: WebSocket | undefined;
  private port: number | null = null;
  private replayedOnce = false;
  private closed = false;

  constructor(
    private readonly repo: ManagedRepo,
    private lastId: number | undefined,
    private readonly listener: UpstreamListener,
    private readonly logger: Logger,
  ) {}

  /** The last event id passed on, if any. */
  get last(): number | undefined {
    return this.lastId;
  }

  /** Dials the worker if it runs and this upstream is not connected to it already; a worker that is down is dialled on the next call. */
  connect(): void {
    const port = this.repo.workerHttpPort;
    if (this.closed || port === null || this.repo.state !== 'running') return;
    if (this.socket !== undefined && this.port === port && this.socket.readyState <= WebSocket.OPEN) return;
    this.socket?.terminate();
    this.port = port;
    const query = new URLSearchParams({ repo: this.repo.slug, ...(this.lastId === undefined ? {} : { since: String(this.lastId) }) });
    const socket = new WebSocket(`ws://127.0.0.1:${port}/ws?${query.toString()}`, {
      headers: { authorization: `Bearer ${this.repo.record.token}` },
      perMessageDeflate: false,
    });
    this.socket = socket;
    socket.on('message', (data: Buffer) => this.receive(data.toString('utf8')));
    socket.on('error', (error) => this.logger.debug({ err: error, slug: this.repo.slug }, 'the stream from the worker failed'));
    socket.on('close', (code: number) => {
      if (this.socket === socket) this.socket = undefined;
      // A worker that went away has nothing to replay: the client is not kept waiting for it.
      this.markReplayed();
      // A stream lost while the worker still runs (it dropped us) is dialled again from the last id;
      // a worker that went down is dialled when its repo is running again.
      if (!this.closed && code !== POLICY && this.repo.state === 'running') setTimeout(() => this.connect(), REDIAL_MS).unref();
    });
  }

  /** Closes the connection for good. */
  close(): void {
    this.closed = true;
    this.socket?.terminate();
    this.socket = undefined;
  }

  private receive(text: string): void {
    const frame = parseWorkerFrame(text);
    if (frame === undefined) return;
    if (frame.type === 'replay_done' && frame.id === null) {
      this.markReplayed();
      return;
    }
    if (frame.id === null) return;
    if (this.lastId !== undefined && frame.id <= this.lastId) return;
    this.lastId = frame.id;
    this.listener.frame(frame);
  }

  private markReplayed(): void {
    if (this.replayedOnce) return;
    this.replayedOnce = true;
    this.listener.replayed(this.repo.slug);
  }
}
