import { setTimeout as sleep } from 'node:timers/promises';
import { ErrorCodes, SupervisorRequests, WorkerNotifications } from '@repovisor/protocol';
import type { Connection, HelloParams } from '@repovisor/protocol';
import type { Logger } from 'pino';
import type { LaunchedWorker, LaunchSpec, WorkerExit } from '../launch/launch-worker.js';
import { signalGroup } from '@repovisor/kit';
import { watchAdoptedWorker } from '../launch/watch-adopted.js';
import { readPidStartTicks } from '../state/process-identity.js';
import { probeWorker } from './health-probe.js';
import type { ProbeResult } from './health-probe.js';
import { LifecycleConflictError } from './lifecycle-error.js';
import type { RepoRecord, RepoView } from './repo-record.js';
import { RestartPolicy } from './restart-policy.js';
import type { RestartSettings } from './restart-policy.js';
import type { RepoState } from './repo-state.js';

/** Timing settings a managed repo follows. */
export interface ManagedRepoSettings {
  /** `httpIntervalMs`: how old the last passed `GET /healthz` may be before a probe checks it again (0: every probe). */
  health: { intervalMs: number; timeoutMs: number; failureThreshold: number; httpIntervalMs: number };
  restart: RestartSettings;
  startTimeoutMs: number;
  stopTimeoutMs: number;
  graceMs: number;
}

/** Told about what happens to a managed repo (persistence, metrics). */
export interface ManagedRepoObserver {
  changed(repo: ManagedRepo): void;
  probed?(repo: ManagedRepo, result: ProbeResult): void;
  restarted?(repo: ManagedRepo): void;
}

/** What a {@link ManagedRepo} is made of. */
export interface ManagedRepoOptions {
  record: RepoRecord;
  settings: ManagedRepoSettings;
  logFile: string;
  dataRoot: string;
  runtimeUrl: string;
  controlAddress: () => string;
  launch: (spec: LaunchSpec) => LaunchedWorker;
  logger: Logger;
  observer: ManagedRepoObserver;
}

/** The answer to a worker's hello. */
export type HelloVerdict = { ok: true } | { ok: false; code: string; message: string };

interface WorkerProcess {
  pid: number;
  exited: Promise<WorkerExit>;
  launchedAt: number;
  generation: number;
}

// A worker gets this long to answer `shutdown` and exit before SIGTERM.
const SHUTDOWN_BUDGET_MS = 2000;

/**
 * One repository under supervision and its worker's lifecycle: launch, hello,
 * probes, restarts with backoff, crash-loop failure, and graceful-then-forced
 * stop of the worker's whole process group.
 */
export class ManagedRepo {
  readonly slug: string;
  private stateValue: RepoState = 'stopped';
  private worker: WorkerProcess | undefined;
  private generation = 0;
  private connection: Connection | undefined;
  private httpPort: number | null = null;
  // The worker's runtime as it last told: by hello, `runtime.state` and every passed probe.
  private runtime: { running: boolean; sessionId: string | null; lastError: string | null } | null = null;
  private restarts = 0;
  private lastError: string | null = null;
  private lastProbe: RepoView['last_probe'] = null;
  private probeFailures = 0;
  // When (performance.now()) a probe that included GET /healthz last passed.
  private httpPassedAt = Number.NEGATIVE_INFINITY;
  private adopted = false;
  private runningSince: number | null = null;
  private startTimer: NodeJS.Timeout | undefined;
  private probeTimer: NodeJS.Timeout | undefined;
  private backoffTimer: NodeJS.Timeout | undefined;
  private stopping: Promise<void> | undefined;
  private readonly policy: RestartPolicy;
  private readonly logger: Logger;

  constructor(private readonly options: ManagedRepoOptions) {
    this.slug = options.record.slug;
    this.policy = new RestartPolicy(options.settings.restart);
    this.logger = options.logger.child({ slug: this.slug });
  }

  /** The lifecycle state. */
  get state(): RepoState {
    return this.stateValue;
  }

  /** The registered record (persisted by the manager). */
  get record(): RepoRecord {
    return this.options.record;
  }

  /** Pid of the current worker process, if any. */
  get pid(): number | null {
    return this.worker?.pid ?? null;
  }

  /** The repo as `/api/repos` shows it. */
  view(): RepoView {
    const record = this.options.record;
    return {
      slug: this.slug,
      path: record.path,
      status: this.stateValue,
      pid: this.pid,
      restarts: this.restarts,
      uptime_seconds: this.uptimeSeconds,
      last_error: this.lastError,
      last_probe: this.lastProbe,
      runtime_url: this.options.runtimeUrl,
      autostart: record.autostart,
      http_port: this.httpPort,
      source: record.source,
      added_at: record.addedAt,
      runtime: this.runtime === null ? null : { running: this.runtime.running, session_id: this.runtime.sessionId, last_error: this.runtime.lastError },
      log_file: this.options.logFile,
    };
  }

  /** `uptime_seconds` of the view: for how long the worker has been running, in seconds to the millisecond (0 when it is not). */
  get uptimeSeconds(): number {
    return this.runningSince === null ? 0 : Math.round(Date.now() - this.runningSince) / 1000;
  }

  /**
   * True when {@link view} would give `view` again, `uptime_seconds` aside, and
   * without building anything: `GET /api/repos` asks it of every repo on every
   * call, and serializes an entry again only when it is false.
   */
  sameView(view: RepoView): boolean {
    for (const [key, same] of ManagedRepo.VIEW_FIELDS) if (!same(this, view[key])) return false;
    return true;
  }

  // One comparison per field of RepoView against what view() would give now; the type makes a new
  // field fail to compile until it is listed here. The probe is replaced as a whole on every probe.
  private static readonly SAME_FIELD: { [K in keyof RepoView]: ((repo: ManagedRepo, value: RepoView[K]) => boolean) | null } = {
    slug: (repo, value) => value === repo.slug,
    path: (repo, value) => value === repo.options.record.path,
    status: (repo, value) => value === repo.stateValue,
    pid: (repo, value) => value === repo.pid,
    restarts: (repo, value) => value === repo.restarts,
    uptime_seconds: null,
    last_error: (repo, value) => value === repo.lastError,
    last_probe: (repo, value) => value === repo.lastProbe,
    runtime_url: (repo, value) => value === repo.options.runtimeUrl,
    autostart: (repo, value) => value === repo.options.record.autostart,
    http_port: (repo, value) => value === repo.httpPort,
    source: (repo, value) => value === repo.options.record.source,
    added_at: (repo, value) => value === repo.options.record.addedAt,
    runtime: (repo, value) =>
      repo.runtime === null
        ? value === null
        : value !== null && value.running === repo.runtime.running && value.session_id === repo.runtime.sessionId && value.last_error === repo.runtime.lastError,
    log_file: (repo, value) => value === repo.options.logFile,
  };
  private static readonly VIEW_FIELDS = (Object.entries(ManagedRepo.SAME_FIELD) as [keyof RepoView, ((repo: ManagedRepo, value: unknown) => boolean) | null][]).filter(
    (entry): entry is [keyof RepoView, (repo: ManagedRepo, value: unknown) => boolean] => entry[1] !== null,
  );

  /** The worker's HTTP port while it is connected, for the proxy. */
  get workerHttpPort(): number | null {
    return this.connection === undefined ? null : this.httpPort;
  }

  /** An operator's start: from `stopped` or `failed` only (a fresh restart budget). */
  start(): void {
    if (this.stateValue !== 'stopped' && this.stateValue !== 'failed') throw new LifecycleConflictError(this.slug, 'start', this.stateValue);
    this.policy.reset();
    this.lastError = null;
    this.launch();
  }

  /** An operator's stop; `stopped` already is a conflict. */
  async stop(): Promise<void> {
    if (this.stateValue === 'stopped') throw new LifecycleConflictError(this.slug, 'stop', this.stateValue);
    await this.ensureStopped();
  }

  /** An operator's restart: stops the worker if there is one, then starts afresh. */
  async restart(): Promise<void> {
    if (this.stateValue === 'stopping') throw new LifecycleConflictError(this.slug, 'restart', this.stateValue);
    await this.ensureStopped();
    this.start();
  }

  /** Stops whatever runs or waits to run, and resolves once no worker process is left. */
  async ensureStopped(): Promise<void> {
    switch (this.stateValue) {
      case 'stopped':
        return;
      case 'failed':
      case 'backoff':
        clearTimeout(this.backoffTimer);
        this.setState('stopped');
        return;
      case 'stopping':
      case 'starting':
      case 'running':
      case 'unhealthy':
        await this.terminate('stopped by the supervisor');
        return;
    }
  }

  /** Decides on a worker's hello (already authenticated by token) and, if accepted, adopts its connection. */
  accept(hello: HelloParams, connection: Connection): HelloVerdict {
    const worker = this.worker;
    if (worker === undefined || this.stateValue === 'stopping') {
      return { ok: false, code: ErrorCodes.Duplicate, message: `No worker of ${this.slug} is expected now (it is ${this.stateValue})` };
    }
    if (hello.pid !== worker.pid) {
      return { ok: false, code: ErrorCodes.Duplicate, message: `${this.slug} belongs to worker pid ${worker.pid}, not ${hello.pid}` };
    }
    if (this.connection !== undefined && this.connection !== connection) this.connection.close();
    this.connection = connection;
    this.httpPort = hello.httpPort;
    // A (re)connected worker's HTTP server is checked by its next probe.
    this.httpPassedAt = Number.NEGATIVE_INFINITY;
    this.runtime = { running: hello.running, sessionId: hello.sessionId, lastError: hello.lastError ?? null };
    this.options.record.httpPort = hello.httpPort;
    connection.onClose(() => {
      if (this.connection === connection) this.connection = undefined;
    });
    connection.onNotification(WorkerNotifications.runtimeState, (state) => {
      this.runtime = { running: state.running, sessionId: state.sessionId, lastError: state.lastError };
      this.options.observer.changed(this);
    });
    connection.onNotification(WorkerNotifications.event, (params) => {
      this.logger.debug({ event: params.event }, 'worker event');
    });
    if (this.stateValue === 'starting') {
      clearTimeout(this.startTimer);
      this.probeFailures = 0;
      this.runningSince = Date.now();
      this.setState('running');
      this.scheduleProbe();
    } else {
      this.options.observer.changed(this);
    }
    this.logger.info({ workerPid: hello.pid, httpPort: hello.httpPort, adopted: this.adopted }, 'worker said hello');
    return { ok: true };
  }

  /**
   * Takes back the live worker an earlier supervisor left (its pid and start
   * time recorded): no new process; it is `starting` until it redials and says
   * hello, and is restarted like any other if it does not within the start timeout.
   */
  adopt(): void {
    const { pid, pidStartTicks } = this.options.record;
    if (this.stateValue !== 'stopped' || pid === null || pidStartTicks === null) {
      throw new LifecycleConflictError(this.slug, 'adopt', this.stateValue);
    }
    this.generation += 1;
    const generation = this.generation;
    const watched = watchAdoptedWorker(pid, pidStartTicks);
    this.worker = { pid, exited: watched.exited, launchedAt: Date.now(), generation };
    this.adopted = true;
    this.setState('starting');
    this.logger.info({ workerPid: pid }, 'adopting the live worker of an earlier supervisor');
    this.startTimer = setTimeout(() => this.unhealthy(generation, `the adopted worker said no hello within ${this.options.settings.startTimeoutMs} ms`), this.options.settings.startTimeoutMs);
    void watched.exited.then((exit) => this.exited(generation, exit));
  }

  private launch(): void {
    this.generation += 1;
    const generation = this.generation;
    const record = this.options.record;
    this.connection = undefined;
    this.httpPort = null;
    this.runtime = null;
    this.runningSince = null;
    this.lastProbe = null;
    this.probeFailures = 0;
    let launched: LaunchedWorker;
    try {
      launched = this.options.launch({
        slug: this.slug,
        repoPath: record.path,
        dataRoot: this.options.dataRoot,
        logFile: this.options.logFile,
        control: this.options.controlAddress(),
        token: record.token,
        graceMs: this.options.settings.graceMs,
        env: record.env,
      });
    } catch (error) {
      this.lastError = `could not launch the worker: ${(error as Error).message}`;
      this.logger.error({ err: error }, 'could not launch the worker');
      this.crashed(Date.now(), 0);
      return;
    }
    this.worker = { pid: launched.pid, exited: launched.exited, launchedAt: Date.now(), generation };
    this.adopted = false;
    record.pid = launched.pid;
    record.pidStartTicks = readPidStartTicks(launched.pid);
    this.setState('starting');
    this.logger.info({ workerPid: launched.pid }, 'worker launched');
    this.startTimer = setTimeout(() => this.unhealthy(generation, `no hello within ${this.options.settings.startTimeoutMs} ms of launch`), this.options.settings.startTimeoutMs);
    void launched.exited.then((exit) => this.exited(generation, exit));
  }

  private exited(generation: number, exit: WorkerExit): void {
    const worker = this.worker;
    if (worker === undefined || worker.generation !== generation) return;
    this.worker = undefined;
    this.options.record.pid = null;
    this.options.record.pidStartTicks = null;
    this.clearTimers();
    // Whatever the worker started goes with it. (Should the kernel hand the pid to a new group
    // leader between the exit and this line, that group would be hit; Linux allocates pids
    // sequentially, so the window is a full wrap of pid_max.)
    signalGroup(worker.pid, 'SIGKILL');
    this.connection?.close();
    this.connection = undefined;
    this.runningSince = null;
    this.httpPort = null;
    this.runtime = null;
    this.options.record.httpPort = null;
    if (this.stateValue === 'stopping') return;
    const how =
      exit.signal !== null ? `killed by ${exit.signal}` : exit.code !== null ? `exited with code ${exit.code}` : 'exited (adopted from an earlier supervisor: status unknown)';
    this.lastError = this.stateValue === 'unhealthy' && this.lastError !== null ? this.lastError : `worker ${how}`;
    this.logger.warn({ workerPid: worker.pid, ...exit, state: this.stateValue }, 'worker went down');
    this.crashed(Date.now(), Date.now() - worker.launchedAt);
  }

  private crashed(now: number, ranForMs: number): void {
    const decision = this.policy.decide(now, ranForMs);
    if (decision.action === 'fail') {
      this.lastError = `${decision.reason}; last: ${this.lastError ?? 'unknown'}`;
      this.logger.error({ reason: decision.reason }, 'crash loop: giving up until an operator starts it');
      this.setState('failed');
      return;
    }
    this.setState('backoff');
    this.logger.info({ delayMs: decision.delayMs, attempt: decision.attempt }, 'restarting after backoff');
    this.backoffTimer = setTimeout(() => {
      if (this.stateValue !== 'backoff') return;
      this.restarts += 1;
      this.options.observer.restarted?.(this);
      this.launch();
    }, decision.delayMs);
  }

  private unhealthy(generation: number, reason: string): void {
    const worker = this.worker;
    if (worker === undefined || worker.generation !== generation) return;
    if (this.stateValue !== 'starting' && this.stateValue !== 'running') return;
    this.lastError = `unhealthy: ${reason}`;
    this.logger.warn({ workerPid: worker.pid, reason }, 'worker unhealthy; killing it');
    this.clearTimers();
    this.setState('unhealthy');
    // A hung worker cannot be asked to stop; SIGKILL works on a stopped process too.
    signalGroup(worker.pid, 'SIGKILL');
  }

  private scheduleProbe(): void {
    clearTimeout(this.probeTimer);
    const generation = this.generation;
    this.probeTimer = setTimeout(() => void this.probe(generation), this.options.settings.health.intervalMs);
  }

  private async probe(generation: number): Promise<void> {
    if (generation !== this.generation || this.stateValue !== 'running') return;
    const { timeoutMs, failureThreshold, httpIntervalMs } = this.options.settings.health;
    // The health request proves the event loop answers; the HTTP server is checked on a slower
    // clock, and on every probe while probes fail, so that each failure in a row is checked in full.
    const startedAt = performance.now();
    const checkHttp = this.httpPort !== null && (this.probeFailures > 0 || startedAt - this.httpPassedAt >= httpIntervalMs);
    const result = await probeWorker(this.connection, checkHttp ? this.httpPort : null, timeoutMs);
    if (generation !== this.generation || this.stateValue !== 'running') return;
    if (result.ok && checkHttp) this.httpPassedAt = startedAt;
    this.lastProbe = { ok: result.ok, latency_ms: result.latencyMs, at: new Date().toISOString() };
    this.options.observer.probed?.(this, result);
    if (result.ok) {
      this.probeFailures = 0;
      const { running, sessionId, lastError } = result.health;
      const changed = this.runtime?.running !== running || this.runtime.sessionId !== sessionId || this.runtime.lastError !== lastError;
      this.runtime = { running, sessionId, lastError };
      if (changed) this.options.observer.changed(this);
    } else {
      this.probeFailures += 1;
      this.logger.warn({ reason: result.reason, failures: this.probeFailures }, 'health probe failed');
      if (this.probeFailures >= failureThreshold) {
        this.unhealthy(generation, `${this.probeFailures} consecutive probes failed (last: ${result.reason})`);
        return;
      }
    }
    this.scheduleProbe();
  }

  private terminate(reason: string): Promise<void> {
    this.stopping ??= this.runTermination(reason).finally(() => {
      this.stopping = undefined;
    });
    return this.stopping;
  }

  private async runTermination(reason: string): Promise<void> {
    const worker = this.worker;
    this.clearTimers();
    this.setState('stopping');
    if (worker !== undefined) {
      const gone = worker.exited.then(() => true);
      // The timer of a wait the exit won is cancelled: left running, it would hold the
      // supervisor's exit back by up to the whole wait after everything has stopped.
      const within = async (ms: number): Promise<boolean> => {
        const timer = new AbortController();
        try {
          return await Promise.race([gone, sleep(Math.max(0, ms), false, { signal: timer.signal })]);
        } finally {
          timer.abort();
        }
      };
      const connection = this.connection;
      let done = false;
      if (connection !== undefined && !connection.closed) {
        const budget = Math.min(SHUTDOWN_BUDGET_MS, this.options.settings.stopTimeoutMs);
        connection.request(SupervisorRequests.shutdown, { reason }, { timeoutMs: budget }).catch(() => undefined);
        done = await within(budget);
      }
      if (!done) {
        this.logger.info({ workerPid: worker.pid }, 'sending SIGTERM to the worker group');
        signalGroup(worker.pid, 'SIGTERM');
        signalGroup(worker.pid, 'SIGCONT');
        done = await within(this.options.settings.stopTimeoutMs);
      }
      if (!done) {
        this.logger.warn({ workerPid: worker.pid, stopTimeoutMs: this.options.settings.stopTimeoutMs }, 'worker ignored SIGTERM; sending SIGKILL');
        signalGroup(worker.pid, 'SIGKILL');
        await gone;
      }
      if (this.worker?.generation === worker.generation) this.exited(worker.generation, await worker.exited);
    }
    this.setState('stopped');
  }

  private clearTimers(): void {
    clearTimeout(this.startTimer);
    clearTimeout(this.probeTimer);
    clearTimeout(this.backoffTimer);
  }

  private setState(state: RepoState): void {
    if (this.stateValue === state) return;
    this.logger.debug({ from: this.stateValue, to: state }, 'state');
    this.stateValue = state;
    this.options.observer.changed(this);
  }
}
