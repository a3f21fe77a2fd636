import { mkdir } from '@repovisor/kit/promised-fs';
import type { WorkerLogger } from '../log/worker-logger.js';
import { EventBus } from '../events/event-bus.js';
import { SerialQueue } from '@repovisor/kit';
import type { Disposable } from '@repovisor/kit';
import { EventLog } from '../events/event-log.js';
import type { Loop } from '../orchestrator/loop.js';
import { SYSTEM_ALERT_AFTER } from '../orchestrator/loop-retry-policy.js';
import type { LoopFailure } from '../orchestrator/loop-retry-policy.js';
import { loadPipelineEngine } from '../lazy-modules.js';
import type { PipelineEngine } from '../pipeline/engine/pipeline-engine.js';
import { Orchestrator } from '../orchestrator/orchestrator.js';
import { RepoWatcher } from '../orchestrator/repo-watcher.js';
import { StateTracker } from '../state/state-tracker.js';
import { assertValidConfig } from './repo-runtime-config.js';
import { errorMessage } from './error-message.js';
import { RuntimeStateError } from './runtime-state-error.js';
import { PRIVATE_FOLDER_MODE, tightenDataRoot } from './private-files.js';
import { newSessionId } from './session-id.js';
import type { RepoRuntimeConfig } from './repo-runtime-config.js';
import { Workspaces } from './workspaces.js';

/** HydraFlow's `RepoRuntimeInfo`: what `/api/runtimes` says of a runtime. */
export interface RepoRuntimeInfo {
  slug: string;
  repo: string;
  running: boolean;
  session_id: string | null;
  uptime_seconds: number;
  last_error: string | null;
}

/** Told when a runtime starts or stops, or its `lastError` changes. */
export type RuntimeStateListener = (runtime: RepoRuntime) => void;

/**
 * Everything per-repository in a worker: config, event bus (with its log),
 * state tracker, orchestrator and, when the repo's pipeline is enabled, the
 * pipeline engine. Built only by {@link RepoRuntime.create},
 * whether the worker serves HTTP or runs headless.
 */
export class RepoRuntime {
  readonly slug: string;
  private sessionIdValue: string | null = null;
  private startedAt: number | null = null;
  private lastErrorValue: string | null;
  private readonly stateListeners = new Set<RuntimeStateListener>();
  // Starts and stops run one at a time, in order.
  private readonly transitions = new SerialQueue();
  // The failure each failing loop last reported, while it fails.
  private readonly loopErrors = new Map<string, string>();
  // Why the pipeline is paused, while it is.
  private pausedBecause: string | null = null;

  private constructor(
    readonly config: Readonly<RepoRuntimeConfig>,
    readonly bus: EventBus,
    readonly state: StateTracker,
    readonly orchestrator: Orchestrator,
    readonly workspaces: Workspaces,
    private readonly logger: WorkerLogger,
    /** The pipeline engine; undefined when the repo's pipeline is not enabled. */
    readonly pipeline: PipelineEngine | undefined,
  ) {
    this.slug = config.slug;
    this.lastErrorValue = state.get().lastError;
  }

  /** The one way to build a runtime: creates its data root, loads its event history and state. */
  static async create(config: RepoRuntimeConfig, logger: WorkerLogger): Promise<RepoRuntime> {
    assertValidConfig(config);
    const log = logger.bindings().slug === config.slug ? logger : logger.child({ slug: config.slug });
    await mkdir(config.dataRoot, { recursive: true, mode: PRIVATE_FOLDER_MODE });
    const { log: eventLog, history } = await EventLog.open({
      folder: config.dataRoot,
      ...config.eventLog,
      onCorruptLine: (line, reason) => log.warn({ line, reason }, 'skipped an unreadable line of the event log'),
    });
    // The runtime is built around the bus: events are stamped with its session once it exists.
    const reports: { runtime?: RepoRuntime } = {};
    const bus = new EventBus({
      slug: config.slug,
      log: eventLog,
      history,
      session: () => reports.runtime?.sessionId ?? null,
      onError: (error, where) => log.error({ err: error, where }, 'event bus error'),
    });
    const state = await StateTracker.load({
      folder: config.dataRoot,
      slug: config.slug,
      onCorrupt: (movedTo, reason) => log.warn({ movedTo, reason }, 'state.json was unreadable; moved aside, starting empty'),
    });
    const watcher = new RepoWatcher({ repoPath: config.repoPath, intervalMs: config.watchIntervalMs ?? 2000, bus, state });
    const pipeline = config.pipeline?.enabled === true
      ? await loadPipelineEngine({
          repoPath: config.repoPath,
          dataRoot: config.dataRoot,
          settings: config.pipeline,
          publish: (type, data) => bus.publish(type, data),
          logger: log,
          onPause: (reason) => reports.runtime?.pipelinePaused(reason),
        })
      : undefined;
    const loops: Loop[] = pipeline === undefined ? [watcher] : [watcher, pollLoop(pipeline)];
    // The orchestrator reports loop failures to the runtime built around it.
    const orchestrator = new Orchestrator({
      loops,
      onLoopFailure: (loop, error, failure) => reports.runtime?.loopFailed(loop.name, error, failure),
      onLoopRecovered: (loop, failures) => reports.runtime?.loopRecovered(loop.name, failures),
    });
    await tightenDataRoot(config.dataRoot, (path, error) => log.warn({ path, err: error }, 'could not tighten the mode of a data-root file'));
    const runtime = new RepoRuntime(config, bus, state, orchestrator, new Workspaces(config.repoPath, config.dataRoot), log, pipeline);
    reports.runtime = runtime;
    return runtime;
  }

  /** True from a start to a stop, while the orchestrator runs its loops (a failing loop included: it is retried). */
  get running(): boolean {
    return this.sessionIdValue !== null;
  }

  /** Identifies the current run; new on every start, null while stopped. */
  get sessionId(): string | null {
    return this.sessionIdValue;
  }

  /** Seconds since the current run started; 0 while stopped. */
  get uptimeSeconds(): number {
    return this.startedAt === null ? 0 : (Date.now() - this.startedAt) / 1000;
  }

  /** Why the runtime is not well: a loop failing (cleared when it works again) or a failed state write; a start clears it. */
  get lastError(): string | null {
    return this.lastErrorValue;
  }

  /** HydraFlow's `RepoRuntimeInfo` of this runtime. */
  info(): RepoRuntimeInfo {
    return {
      slug: this.slug,
      repo: this.config.repoPath,
      running: this.running,
      session_id: this.sessionIdValue,
      uptime_seconds: Math.round(this.uptimeSeconds * 1000) / 1000,
      last_error: this.lastErrorValue,
    };
  }

  /** Starts the loops under a new session id; rejects with `already_running`. */
  start(): Promise<void> {
    return this.transitions.run(() => {
      if (this.running) throw new RuntimeStateError('already_running', `Runtime ${this.slug} is already running`);
      const sessionId = newSessionId();
      this.sessionIdValue = sessionId;
      this.startedAt = Date.now();
      this.lastErrorValue = null;
      const starts = this.state.get().starts + 1;
      // Written in order behind the scenes (flush() waits for it): a start does not wait for an fsync.
      this.persist({ starts, lastSessionId: sessionId, lastStartedAt: new Date().toISOString(), lastError: null });
      this.pipeline?.start();
      this.orchestrator.start();
      this.bus.publish('runtime.started', { sessionId });
      this.logger.info({ sessionId }, 'runtime started');
      this.emitState();
      return Promise.resolve();
    });
  }

  /** Stops the loops and resolves when they have ended; rejects with `not_running`. */
  stop(): Promise<void> {
    return this.transitions.run(async () => {
      if (!this.running) throw new RuntimeStateError('not_running', `Runtime ${this.slug} is not running`);
      await this.halt();
    });
  }

  /** Stops the runtime if it is running; resolves once it is stopped either way. */
  ensureStopped(): Promise<void> {
    return this.transitions.run(async () => {
      if (this.running) await this.halt();
    });
  }

  /** Calls `listener` after every start and stop, and whenever `lastError` changes. */
  onStateChange(listener: RuntimeStateListener): Disposable {
    this.stateListeners.add(listener);
    return { dispose: () => void this.stateListeners.delete(listener) };
  }

  /** Waits for the event log and state file to be written. */
  async flush(): Promise<void> {
    await Promise.all([this.bus.flush(), this.state.flush()]);
  }

  // A failed tick: the loop is retried by the orchestrator; the runtime keeps running and shows why.
  private loopFailed(loop: string, error: unknown, failure: LoopFailure): void {
    if (!this.running) return;
    const message = `${loop} failed: ${failure.message}`;
    this.logger.error(
      { err: error, loop, consecutive: failure.consecutive, sameInARow: failure.sameInARow, retryInMs: failure.retryInMs },
      'a loop failed; retrying it after a backoff',
    );
    this.bus.publish('loop.failed', { loop, error: failure.message, consecutive: failure.consecutive, sameInARow: failure.sameInARow, retryInMs: failure.retryInMs });
    if (failure.sameInARow === SYSTEM_ALERT_AFTER) this.bus.publish('system_alert', { stage: loop, message: `${message} (${failure.sameInARow} times in a row)`, count: failure.sameInARow });
    this.loopErrors.set(loop, message);
    this.setLastError(message);
  }

  private loopRecovered(loop: string, failures: number): void {
    if (!this.running) return;
    const message = this.loopErrors.get(loop);
    this.loopErrors.delete(loop);
    this.logger.info({ loop, failures }, 'a loop works again');
    this.bus.publish('loop.recovered', { loop, failures });
    // Another loop's failure, still going on, stays shown.
    if (message !== undefined && this.lastErrorValue === message) this.setLastError([...this.loopErrors.values()].at(-1) ?? null);
  }

  // The pipeline waits for its agents' service (a pause), or may run again (null).
  private pipelinePaused(reason: string | null): void {
    const shown = this.pausedBecause;
    this.pausedBecause = reason;
    if (reason !== null) this.setLastError(reason);
    else if (shown !== null && this.lastErrorValue === shown) this.setLastError([...this.loopErrors.values()].at(-1) ?? null);
  }

  private setLastError(message: string | null): void {
    if (this.lastErrorValue === message) return;
    this.lastErrorValue = message;
    this.persist({ lastError: message });
    this.emitState();
  }

  // The in-memory state is settled first, so that a failed write (a full disk, a deleted data
  // root) can never leave a runtime that says it runs while nothing does.
  private async halt(): Promise<void> {
    const sessionId = this.sessionIdValue;
    await this.orchestrator.stop();
    await this.pipeline?.stop();
    this.sessionIdValue = null;
    this.startedAt = null;
    this.loopErrors.clear();
    try {
      await this.state.update({ lastStoppedAt: new Date().toISOString(), lastError: this.lastErrorValue });
    } catch (error) {
      this.logger.error({ err: error }, 'could not write state.json');
      this.lastErrorValue = stateWriteError(error);
    }
    this.bus.publish('runtime.stopped', { sessionId, error: this.lastErrorValue });
    this.logger.info({ sessionId }, 'runtime stopped');
    this.emitState();
  }

  private persist(patch: Parameters<StateTracker['update']>[0]): void {
    const sessionId = this.sessionIdValue;
    this.state.update(patch).catch((error: unknown) => {
      this.logger.error({ err: error }, 'could not write state.json');
      // A loop's failure, which the write may share a cause with, stays the one shown.
      if (this.sessionIdValue !== sessionId || this.lastErrorValue !== null) return;
      this.lastErrorValue = stateWriteError(error);
      this.emitState();
    });
  }

  private emitState(): void {
    for (const listener of this.stateListeners) {
      try {
        listener(this);
      } catch (error) {
        this.logger.error({ err: error }, 'a runtime state listener threw');
      }
    }
  }
}

// A poll interval of 0 would spin: the source is polled at most this often.
const MIN_POLL_MS = 50;

/** The pipeline's poll loop: each round opens what it needs and starts what waits. */
function pollLoop(pipeline: PipelineEngine): Loop {
  return { name: 'pipeline', intervalMs: Math.max(MIN_POLL_MS, pipeline.settings.poll_interval_ms), tick: (signal) => pipeline.tick(signal) };
}

function stateWriteError(error: unknown): string {
  return `could not write state.json: ${errorMessage(error)}`;
}
