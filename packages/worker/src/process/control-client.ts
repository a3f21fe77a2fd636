import { connect } from 'node:net';
import {
  Connection,
  ErrorCodes,
  PROTOCOL_VERSION,
  ResponseError,
  SupervisorRequests,
  WorkerNotifications,
  WorkerRequests,
} from '@repovisor/protocol';
import type { WorkerLogger } from '../log/worker-logger.js';
import type { Disposable } from '@repovisor/kit';
import type { RepoRuntime } from '../runtime/repo-runtime.js';
import { RuntimeStateError } from '../runtime/runtime-state-error.js';
import type { ProcessHealth } from './process-health.js';

/** What a {@link ControlClient} needs. */
export interface ControlClientOptions {
  host: string;
  port: number;
  token: string;
  runtime: RepoRuntime;
  health: ProcessHealth;
  logger: WorkerLogger;
  /** The worker's HTTP port, or null when headless. */
  httpPort: () => number | null;
  /** How long to keep redialing a lost supervisor. */
  graceMs: number;
  /** The supervisor asked this worker to shut down. */
  onShutdown: (reason: string) => void;
  /** No supervisor took the worker back within the grace period. */
  onGraceExpired: () => void;
}

const FIRST_RETRY_MS = 100;
const MAX_RETRY_MS = 2000;

/**
 * The worker's side of the control connection: dials the supervisor, says
 * `hello`, answers its requests and pushes runtime events and state. When the
 * connection drops the runtime keeps running and the client redials with
 * backoff; after the grace period without a supervisor it gives up.
 */
export class ControlClient {
  private connection: Connection | undefined;
  private lostSince: number | undefined;
  private retryMs = FIRST_RETRY_MS;
  private retryTimer: NodeJS.Timeout | undefined;
  private stopped = false;
  private readonly subscriptions: Disposable[] = [];

  constructor(private readonly options: ControlClientOptions) {}

  /** Starts dialing, and forwards events and state changes while connected. */
  start(): void {
    const { runtime } = this.options;
    this.subscriptions.push(
      runtime.bus.subscribe((event) => {
        const { slug, ...rest } = event;
        this.connection?.notify(WorkerNotifications.event, { slug, event: { type: rest.type, at: rest.at, data: { ...rest.data, seq: rest.seq } } });
      }),
      runtime.onStateChange((changed) => {
        this.connection?.notify(WorkerNotifications.runtimeState, {
          slug: changed.slug,
          running: changed.running,
          sessionId: changed.sessionId,
          lastError: changed.lastError,
        });
      }),
    );
    this.dial();
  }

  /** True while a supervisor has accepted this worker's hello. */
  get connected(): boolean {
    return this.connection !== undefined && !this.connection.closed;
  }

  /** Closes the connection and stops redialing. */
  stop(): void {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    for (const subscription of this.subscriptions.splice(0)) subscription.dispose();
    this.connection?.close();
    this.connection = undefined;
  }

  private dial(): void {
    if (this.stopped) return;
    const { host, port, logger } = this.options;
    const socket = connect({ host, port });
    socket.once('error', (error) => {
      logger.debug({ err: error }, 'could not reach the supervisor');
      socket.destroy();
      this.lost();
    });
    socket.once('connect', () => {
      socket.removeAllListeners('error');
      const connection = Connection.fromSocket(socket, { logger, label: 'supervisor' });
      this.serve(connection);
      connection.onClose(({ reason }) => {
        if (this.connection === connection) this.connection = undefined;
        logger.warn({ reason }, 'control connection closed');
        this.lost();
      });
      this.hello(connection).catch((error: unknown) => {
        logger.warn({ err: error }, 'the supervisor did not accept hello');
        connection.close();
      });
    });
  }

  private async hello(connection: Connection): Promise<void> {
    const { runtime, token } = this.options;
    const welcome = await connection.request(WorkerRequests.hello, {
      slug: runtime.slug,
      pid: process.pid,
      protocolVersion: PROTOCOL_VERSION,
      token,
      httpPort: this.options.httpPort(),
      running: runtime.running,
      sessionId: runtime.sessionId,
      lastError: runtime.lastError,
    });
    if (connection.closed) return;
    this.connection = connection;
    this.lostSince = undefined;
    this.retryMs = FIRST_RETRY_MS;
    this.options.logger.info({ supervisorPid: welcome.supervisorPid }, 'connected to the supervisor');
  }

  private serve(connection: Connection): void {
    const { runtime, health } = this.options;
    connection.handle(SupervisorRequests.health, () => ({
      slug: runtime.slug,
      pid: process.pid,
      running: runtime.running,
      sessionId: runtime.sessionId,
      lastError: runtime.lastError,
      ...health.sample(),
    }));
    connection.handle(SupervisorRequests.runtimeStatus, () => runtime.info());
    connection.handle(SupervisorRequests.runtimeStart, async () => {
      await runtime.start().catch(asResponseError);
      return runtime.info();
    });
    connection.handle(SupervisorRequests.runtimeStop, async () => {
      await runtime.stop().catch(asResponseError);
      return runtime.info();
    });
    connection.handle(SupervisorRequests.workspaceEnsure, (params) => runtime.workspaces.ensure(params.issue));
    connection.handle(SupervisorRequests.shutdown, (params) => {
      // Answer first; shut down once the answer is on its way.
      setImmediate(() => this.options.onShutdown(params.reason ?? 'requested by the supervisor'));
      return { ok: true as const };
    });
  }

  private lost(): void {
    if (this.stopped || this.retryTimer !== undefined) return;
    const now = Date.now();
    this.lostSince ??= now;
    if (now - this.lostSince >= this.options.graceMs) {
      this.options.logger.warn({ graceMs: this.options.graceMs }, 'no supervisor within the grace period; shutting down');
      this.stop();
      this.options.onGraceExpired();
      return;
    }
    const delay = Math.min(this.retryMs, this.options.graceMs - (now - this.lostSince));
    this.retryMs = Math.min(this.retryMs * 2, MAX_RETRY_MS);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      this.dial();
    }, Math.max(delay, 1));
  }
}

function asResponseError(error: unknown): never {
  if (error instanceof RuntimeStateError) {
    throw new ResponseError(error.code === 'already_running' ? ErrorCodes.AlreadyRunning : ErrorCodes.NotRunning, error.message);
  }
  throw error;
}
