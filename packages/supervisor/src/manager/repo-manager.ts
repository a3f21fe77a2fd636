import { ErrorCodes } from '@repovisor/protocol';
import { slugCollisionKey } from '../config/repo-identity.js';
import type { Connection, HelloParams } from '@repovisor/protocol';
import type { Logger } from 'pino';
import { availableParallelism } from 'node:os';
import { hasDescriptorRoom } from '../launch/descriptor-limit.js';
import { launchWorker } from '../launch/launch-worker.js';
import type { LaunchedWorker, LaunchSpec } from '../launch/launch-worker.js';
import type { ProbeResult } from './health-probe.js';
import { ManagedRepo } from './managed-repo.js';
import type { HelloVerdict, ManagedRepoSettings } from './managed-repo.js';
import type { RepoRecord, RepoView, WorkerRecordPatch } from './repo-record.js';
import { LaunchGate } from './launch-gate.js';
import { ListenerSet, SerialQueue, sameSecret } from '@repovisor/kit';
import type { Disposable } from '@repovisor/kit';

/** A repo that cannot be added because its slug or path is already managed (HTTP 409). */
export class RepoConflictError extends Error {
  override readonly name = 'RepoConflictError';
  constructor(
    readonly field: 'slug' | 'path',
    readonly value: string,
    readonly existing: string,
  ) {
    super(field === 'slug' ? `A repo with slug "${value}" is already managed` : `The path ${value} is already managed as "${existing}"`);
  }
}

/** What the manager needs from the rest of the supervisor. */
export interface RepoManagerOptions {
  settings: ManagedRepoSettings;
  logFile: (slug: string) => string;
  dataRoot: (slug: string) => string;
  controlAddress: () => string;
  /** Persists the registry; the manager calls it before answering a change. */
  persist: (records: RepoRecord[]) => Promise<void>;
  logger: Logger;
  /** Starts a worker; defaults to {@link launchWorker}. */
  launch?: (spec: LaunchSpec) => LaunchedWorker;
  /** Told of every probe (metrics). */
  onProbe?: (repo: ManagedRepo, result: ProbeResult) => void;
}

/**
 * The supervisor's registry of repositories and their workers. Additions and
 * removals are serialised and persisted before they are answered; lifecycle
 * changes are persisted as they happen.
 */
export class RepoManager {
  private readonly repos = new Map<string, ManagedRepo>();
  private readonly changes = new ListenerSet<ManagedRepo>((error) => this.options.logger.error({ err: error }, 'a repo change listener failed'));
  private readonly mutations = new SerialQueue();
  private readonly saves = new SerialQueue();
  /** A save queued behind the running one and not started yet: it will write the registry as it is when it starts. */
  private nextSave: Promise<void> | undefined;
  private saveQueued = false;
  // Autostart launches, a bounded number at a time: plenty to keep every core busy with starting
  // workers (fewer slowed a 100-repo start on 2 cores), few enough to bound the burst of hundreds.
  private readonly gate = new LaunchGate({
    limit: Math.max(64, 32 * availableParallelism()),
    hasRoom: (starting) => hasDescriptorRoom(this.all().filter((repo) => repo.pid !== null).length, starting),
    retryMs: 1000,
    isManaged: (repo) => this.get(repo.slug) === repo,
    onShortage: (waiting) =>
      this.options.logger.warn({ waiting }, 'file descriptors are short: the remaining workers wait to be launched (raise the open-file limit, ulimit -n)'),
  });

  constructor(
    private readonly options: RepoManagerOptions,
    records: RepoRecord[] = [],
  ) {
    for (const record of records) this.repos.set(slugCollisionKey(record.slug), this.manage(record));
  }

  /** Every repo, in the order they were registered. */
  all(): ManagedRepo[] {
    return [...this.repos.values()];
  }

  /** Calls `listener` with a repo whenever its state or its view (pid, restarts, last error, runtime) changes. */
  onChanged(listener: (repo: ManagedRepo) => void): Disposable {
    return this.changes.add(listener);
  }

  /** Every repo as `/api/repos` shows it: the supervisor's own view, never a worker's. */
  list(): RepoView[] {
    return this.all().map((repo) => repo.view());
  }

  /** The repo of `slug` (`owner/repo` or `owner-repo`). */
  get(slug: string): ManagedRepo | undefined {
    return this.repos.get(slugCollisionKey(slug));
  }

  /**
   * Records which worker process the repo of `slug` has (its pid, start time
   * and HTTP port), before it takes back the worker of an earlier supervisor;
   * saved with the registry's next save. The repo must be `stopped`.
   */
  updateRecord(slug: string, patch: WorkerRecordPatch): void {
    const repo = this.get(slug);
    if (repo === undefined) throw new Error(`Cannot update the record of ${slug}: it is not managed`);
    repo.updateRecord(patch);
  }

  /** Registers a repo, persists the registry, then starts its worker when `start` is true. */
  add(record: RepoRecord, start: boolean): Promise<ManagedRepo> {
    return this.mutations.run(async () => {
      if (this.get(record.slug) !== undefined) throw new RepoConflictError('slug', record.slug, record.slug);
      const samePath = this.all().find((repo) => repo.record.path === record.path);
      if (samePath !== undefined) throw new RepoConflictError('path', record.path, samePath.slug);
      const repo = this.manage(record);
      this.repos.set(slugCollisionKey(record.slug), repo);
      try {
        await this.save();
      } catch (error) {
        this.repos.delete(slugCollisionKey(record.slug));
        throw error;
      }
      if (start) repo.start();
      return repo;
    });
  }

  /** Stops the repo's worker, forgets the repo and persists the registry; false when unknown. */
  remove(slug: string): Promise<boolean> {
    return this.mutations.run(async () => {
      const repo = this.get(slug);
      if (repo === undefined) return false;
      await repo.ensureStopped();
      this.repos.delete(slugCollisionKey(repo.slug));
      await this.save();
      return true;
    });
  }

  /** Checks a worker's hello: known slug, its token, and the worker the repo expects. */
  authenticate(hello: HelloParams, connection: Connection): HelloVerdict {
    const repo = this.get(hello.slug);
    if (repo === undefined) return { ok: false, code: ErrorCodes.UnknownSlug, message: `Unknown slug: ${hello.slug}` };
    if (!sameSecret(hello.token, repo.record.token)) return { ok: false, code: ErrorCodes.Unauthorized, message: 'Invalid token' };
    return repo.accept(hello, connection);
  }

  /** Starts every stopped repo marked autostart, a few at a time (see {@link LaunchGate}). */
  startAutostart(): void {
    this.gate.enqueue(this.all().filter((repo) => repo.record.autostart && repo.state === 'stopped'));
  }

  /** Stops every worker, and the autostarts still waiting, and resolves when none is left. */
  async stopAll(): Promise<void> {
    this.gate.cancel();
    await Promise.all(this.all().map((repo) => repo.ensureStopped()));
    await this.save();
  }

  /**
   * Persists the registry; resolves once a save that began after this call
   * has written it. Saves run one at a time, and every call made while one
   * runs joins the single save queued behind it, which takes the registry as
   * it is when it starts: a burst of 100 workers saying hello costs a few
   * writes, not 100.
   */
  save(): Promise<void> {
    if (this.nextSave !== undefined) return this.nextSave;
    const next = this.saves.run(() => {
      this.nextSave = undefined;
      return this.options.persist(this.all().map((repo) => ({ ...repo.record })));
    });
    this.nextSave = next;
    return next;
  }

  private manage(record: RepoRecord): ManagedRepo {
    return new ManagedRepo({
      record,
      settings: this.options.settings,
      logFile: this.options.logFile(record.slug),
      dataRoot: this.options.dataRoot(record.slug),
      runtimeUrl: `/api/repos/${record.slug}/runtimes`,
      controlAddress: this.options.controlAddress,
      launch: this.options.launch ?? launchWorker,
      logger: this.options.logger,
      observer: {
        changed: (repo) => {
          this.gate.changed(repo);
          this.saveSoon();
          this.changes.emit(repo);
        },
        probed: (repo, result) => this.options.onProbe?.(repo, result),
      },
    });
  }

  private saveSoon(): void {
    if (this.saveQueued) return;
    this.saveQueued = true;
    setImmediate(() => {
      this.saveQueued = false;
      this.save().catch((error: unknown) => this.options.logger.error({ err: error }, 'could not persist the supervisor state'));
    });
  }
}

