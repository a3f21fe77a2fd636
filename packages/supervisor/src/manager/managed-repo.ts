import type { Connection, HelloParams } from '@repovisor/protocol';
import type { Logger } from 'pino';
import type { LaunchedWorker, WorkerExit } from '../launch/launch-worker.js';
import { readPidStartTicks, signalGroup } from '@repovisor/kit';
import { watchAdoptedWorker } from '../launch/watch-adopted.js';
import type { ProbeResult } from './health-probe.js';
import { LifecycleConflictError } from './lifecycle-error.js';
import { ProbeLoop } from './probe-loop.js';
import type { HelloVerdict, ManagedRepoOptions } from './managed-repo-options.js';
import { linkOf, runningSinceOf, transition, workerOf } from './repo-lifecycle.js';
import { repoView, uptimeSeconds } from './repo-view.js';
import type { Lifecycle, LifecycleIn, WorkerProcess } from './repo-lifecycle.js';
import type { RepoRecord, RepoView, WorkerRecordPatch } from './repo-record.js';
import type { RepoState } from './repo-state.js';
import { RestartPolicy } from './restart-policy.js';
import { stopWorker } from './stop-worker.js';
import { expectedWorker, openWorkerLink } from './worker-link.js';

export type { HelloVerdict, ManagedRepoOptions, ManagedRepoSettings } from './managed-repo-options.js';

/**
 * One repository under supervision and its worker's lifecycle: launch, hello,
 * probes, restarts with backoff, crash-loop failure, and graceful-then-forced
 * stop of the worker's whole process group. Every change of state goes
 * through {@link ManagedRepo.enter} (see {@link Lifecycle}).
 */
export class ManagedRepo {
  readonly slug: string;
  private lifecycle: Lifecycle = { state: 'stopped' };
  private generation = 0;
  private version = 0;
  private restarts = 0;
  private lastError: string | null = null;
  private lastProbe: RepoView['last_probe'] = null;
  private readonly policy: RestartPolicy;
  private readonly logger: Logger;

  constructor(private readonly options: ManagedRepoOptions) {
    this.slug = options.record.slug;
    this.policy = new RestartPolicy(options.settings.restart);
    this.logger = options.logger.child({ slug: this.slug });
  }

  /** The lifecycle state. */
  get state(): RepoState {
    return this.lifecycle.state;
  }

  /** The registered record (persisted by the manager, and changed only through it). */
  get record(): Readonly<RepoRecord> {
    return this.options.record;
  }

  /** Pid of the current worker process, if any. */
  get pid(): number | null {
    return workerOf(this.lifecycle)?.pid ?? null;
  }

  /** Grows whenever {@link view} would give something else, `uptime_seconds` aside: the listing's dirty flag. */
  get viewVersion(): number {
    return this.version;
  }

  /** The repo as `/api/repos` shows it. */
  view(): RepoView {
    const { restarts, lastError, lastProbe } = this;
    return repoView(this.lifecycle, { record: this.options.record, restarts, lastError, lastProbe, runtimeUrl: this.options.runtimeUrl, logFile: this.options.logFile });
  }

  /** `uptime_seconds` of the view, without building it. */
  get uptimeSeconds(): number {
    return uptimeSeconds(this.lifecycle);
  }

  /** The worker's HTTP port while it is connected, for the proxy. */
  get workerHttpPort(): number | null {
    const link = linkOf(this.lifecycle);
    return link?.connection === undefined ? null : link.httpPort;
  }

  /** An operator's start: from `stopped` or `failed` only (a fresh restart budget). */
  start(): void {
    if (this.state !== 'stopped' && this.state !== 'failed') throw new LifecycleConflictError(this.slug, 'start', this.state);
    this.policy.reset();
    this.lastError = null;
    this.launch();
  }

  /** An operator's stop; `stopped` already is a conflict. */
  async stop(): Promise<void> {
    if (this.state === 'stopped') throw new LifecycleConflictError(this.slug, 'stop', this.state);
    await this.ensureStopped();
  }

  /** An operator's restart: stops the worker if there is one, then starts afresh. */
  async restart(): Promise<void> {
    if (this.state === 'stopping') throw new LifecycleConflictError(this.slug, 'restart', this.state);
    await this.ensureStopped();
    this.start();
  }

  /** Stops whatever runs or waits to run, and resolves once no worker process is left. */
  async ensureStopped(): Promise<void> {
    const current = this.lifecycle;
    if (current.state === 'stopped') return;
    if (current.state === 'failed' || current.state === 'backoff') return this.enter({ state: 'stopped' });
    // Narrowed to the states with a worker: a new state fails to compile here until it is handled.
    await (current.state === 'stopping' ? current.done : this.terminate(current, 'stopped by the supervisor'));
  }

  /** Records which worker the repo has, before it adopts one: for {@link RepoManager.updateRecord} only, while `stopped`. */
  updateRecord(patch: WorkerRecordPatch): void {
    if (this.state !== 'stopped') throw new LifecycleConflictError(this.slug, 'update the record of', this.state);
    Object.assign(this.options.record, patch);
  }

  /** Decides on a worker's hello (already authenticated by token) and, if accepted, adopts its connection. */
  accept(hello: HelloParams, connection: Connection): HelloVerdict {
    const expected = expectedWorker(this.slug, this.lifecycle, hello.pid);
    if (!expected.ok) return expected;
    const { current } = expected;
    const { worker } = current;
    const previous = linkOf(current)?.connection;
    if (previous !== undefined && previous !== connection) previous.close();
    const link = openWorkerLink(hello, connection, () => this.touched(true), this.logger);
    this.options.record.httpPort = hello.httpPort;
    if (current.state === 'starting') {
      const probe = new ProbeLoop({
        health: this.options.settings.health,
        link: () => (this.lifecycle.state === 'running' ? this.lifecycle.link : link),
        onResult: (result) => this.probed(result),
        onFailing: (reason) => this.unhealthy(worker.generation, reason),
        logger: this.logger,
      });
      this.enter({ state: 'running', worker, link, since: Date.now(), probe });
      probe.schedule();
    } else {
      current.link = link;
      if (current.state === 'running') current.probe.reconnected();
      this.touched(true);
    }
    this.logger.info({ workerPid: hello.pid, httpPort: hello.httpPort, adopted: worker.adopted }, 'worker said hello');
    return { ok: true };
  }

  /**
   * Takes back the live worker an earlier supervisor left (its pid and start
   * time recorded): no new process; it is `starting` until it redials and says
   * hello, and is restarted like any other if it does not within the start timeout.
   */
  adopt(): void {
    const { pid, pidStartTicks } = this.options.record;
    if (this.state !== 'stopped' || pid === null || pidStartTicks === null) throw new LifecycleConflictError(this.slug, 'adopt', this.state);
    const watched = watchAdoptedWorker(pid, pidStartTicks);
    const worker = this.starting({ pid, exited: watched.exited }, true, 'the adopted worker said no hello');
    this.logger.info({ workerPid: worker.pid }, 'adopting the live worker of an earlier supervisor');
  }

  private launch(): void {
    const record = this.options.record;
    this.lastProbe = null;
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
        pipeline: record.pipeline,
      });
    } catch (error) {
      this.lastError = `could not launch the worker: ${(error as Error).message}`;
      this.logger.error({ err: error }, 'could not launch the worker');
      this.crashed(Date.now(), 0);
      return;
    }
    Object.assign(record, { pid: launched.pid, pidStartTicks: readPidStartTicks(launched.pid) });
    this.starting(launched, false, 'no hello');
    this.logger.info({ workerPid: launched.pid }, 'worker launched');
  }

  /** Enters `starting` with a new worker: it has the start timeout to say hello. */
  private starting(launched: LaunchedWorker, adopted: boolean, late: string): WorkerProcess {
    this.generation += 1;
    const generation = this.generation;
    const worker: WorkerProcess = { pid: launched.pid, exited: launched.exited, launchedAt: Date.now(), generation, adopted };
    const { startTimeoutMs } = this.options.settings;
    const timer = setTimeout(() => this.unhealthy(generation, `${late} within ${startTimeoutMs} ms${adopted ? '' : ' of launch'}`), startTimeoutMs);
    this.enter({ state: 'starting', worker, timer });
    void launched.exited.then((exit) => this.exited(generation, exit));
    return worker;
  }

  private exited(generation: number, exit: WorkerExit): void {
    const current = this.lifecycle;
    const worker = workerOf(current);
    if (worker === undefined || worker.generation !== generation) return;
    Object.assign(this.options.record, { pid: null, pidStartTicks: null, httpPort: null });
    // Whatever the worker started goes with it. (Should the kernel hand the pid to a new group
    // leader between the exit and this line, that group would be hit; Linux allocates pids
    // sequentially, so the window is a full wrap of pid_max.)
    signalGroup(worker.pid, 'SIGKILL');
    linkOf(current)?.connection?.close();
    if (current.state === 'stopping') {
      current.worker = null;
      current.link = null;
      current.since = null;
      this.touched(false);
      return;
    }
    const how =
      exit.signal !== null ? `killed by ${exit.signal}` : exit.code !== null ? `exited with code ${exit.code}` : 'exited (adopted from an earlier supervisor: status unknown)';
    this.lastError = current.state === 'unhealthy' && this.lastError !== null ? this.lastError : `worker ${how}`;
    this.logger.warn({ workerPid: worker.pid, ...exit, state: current.state }, 'worker went down');
    this.crashed(Date.now(), Date.now() - worker.launchedAt);
  }

  private crashed(now: number, ranForMs: number): void {
    const decision = this.policy.decide(now, ranForMs);
    if (decision.action === 'fail') {
      this.lastError = `${decision.reason}; last: ${this.lastError ?? 'unknown'}`;
      this.logger.error({ reason: decision.reason }, 'crash loop: giving up until an operator starts it');
      this.enter({ state: 'failed' });
      return;
    }
    const timer = setTimeout(() => {
      if (this.lifecycle.state !== 'backoff' || this.lifecycle.timer !== timer) return;
      this.restarts += 1;
      this.launch();
    }, decision.delayMs);
    this.enter({ state: 'backoff', timer });
    this.logger.info({ delayMs: decision.delayMs, attempt: decision.attempt }, 'restarting after backoff');
  }

  private unhealthy(generation: number, reason: string): void {
    const current = this.lifecycle;
    if ((current.state !== 'starting' && current.state !== 'running') || current.worker.generation !== generation) return;
    const { worker } = current;
    this.lastError = `unhealthy: ${reason}`;
    this.logger.warn({ workerPid: worker.pid, reason }, 'worker unhealthy; killing it');
    this.enter(current.state === 'running' ? { state: 'unhealthy', worker, link: current.link, since: current.since } : { state: 'unhealthy', worker, link: null, since: null });
    // A hung worker cannot be asked to stop; SIGKILL works on a stopped process too.
    signalGroup(worker.pid, 'SIGKILL');
  }

  /** A probe's result, while the repo is `running`. */
  private probed(result: ProbeResult): void {
    const current = this.lifecycle;
    if (current.state !== 'running') return;
    this.lastProbe = { ok: result.ok, latency_ms: result.latencyMs, at: new Date().toISOString() };
    this.touched(false);
    this.options.observer.probed?.(this, result);
    if (!result.ok) return;
    const { running, sessionId, lastError } = result.health;
    const { runtime } = current.link;
    const changed = runtime.running !== running || runtime.sessionId !== sessionId || runtime.lastError !== lastError;
    current.link.runtime = { running, sessionId, lastError };
    if (changed) this.touched(true);
  }

  /** Enters `stopping`; the returned promise, kept in that state, resolves once the repo is `stopped`. */
  private terminate(from: LifecycleIn<'starting' | 'running' | 'unhealthy'>, reason: string): Promise<void> {
    const { worker } = from;
    let finish: (outcome: Promise<void>) => void = () => undefined;
    const done = new Promise<void>((resolve) => (finish = resolve));
    const stopping: LifecycleIn<'stopping'> = { state: 'stopping', worker, link: linkOf(from), since: runningSinceOf(from), done };
    this.enter(stopping);
    const { stopTimeoutMs } = this.options.settings;
    finish(
      stopWorker({ worker, connection: stopping.link?.connection, reason, stopTimeoutMs, logger: this.logger }).then(async () => {
        // The exit is usually handled already; the worker's own exit handler may not have run yet.
        if (stopping.worker?.generation === worker.generation) this.exited(worker.generation, await worker.exited);
        this.enter({ state: 'stopped' });
      }),
    );
    return done;
  }

  /** The one transition function: leaves the current state (see {@link transition}) for `next`. */
  private enter(next: Lifecycle): void {
    const from = this.lifecycle;
    transition(from, next.state);
    this.lifecycle = next;
    this.version += 1;
    if (from.state === next.state) return;
    this.logger.debug({ from: from.state, to: next.state }, 'state');
    this.options.observer.changed(this);
  }

  /** The view changed within a state; `persist` tells the observer too. */
  private touched(persist: boolean): void {
    this.version += 1;
    if (persist) this.options.observer.changed(this);
  }
}
