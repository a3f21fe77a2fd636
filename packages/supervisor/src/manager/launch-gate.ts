import type { ManagedRepo } from './managed-repo.js';
import type { RepoState } from './repo-state.js';

/** What the gate asks before each launch. */
export interface LaunchGateOptions {
  /** How many repos may be `starting` (launched, no hello yet) at once. */
  limit: number;
  /** False while a launch would take descriptors the API and the probes need; the gate then waits. */
  hasRoom: (starting: number) => boolean;
  /** How long to wait before asking `hasRoom` again when nothing else frees a place. */
  retryMs: number;
  /** False for a repo removed while it waited. */
  isManaged: (repo: ManagedRepo) => boolean;
  /** Told once when launches start to wait for descriptors, with how many repos wait. */
  onShortage: (waiting: number) => void;
}

/**
 * Starts queued repos a few at a time: at most `limit` launched and not yet
 * past `starting`, and none while descriptors are short. A start-up of
 * hundreds of repos then never has hundreds of launches, hellos and first
 * probes in flight at once. A repo waiting its turn stays `stopped`.
 */
export class LaunchGate {
  private readonly queue: ManagedRepo[] = [];
  private readonly starting = new Set<ManagedRepo>();
  private retryTimer: NodeJS.Timeout | undefined;
  private short = false;

  constructor(private readonly options: LaunchGateOptions) {}

  /** Queues `repos` to be started in order. */
  enqueue(repos: ManagedRepo[]): void {
    this.queue.push(...repos);
    this.fill();
  }

  /** Called on every state change of a repo: one that left `starting` frees its place; one started elsewhere leaves the queue. */
  changed(repo: ManagedRepo): void {
    // Started by an operator while it waited: not the gate's any more, even once it is stopped again.
    if (repo.state !== 'stopped' && !this.starting.has(repo) && this.queue.length > 0) {
      const index = this.queue.indexOf(repo);
      if (index >= 0) this.queue.splice(index, 1);
    }
    if (repo.state === 'starting' || !this.starting.delete(repo)) return;
    this.fill();
  }

  /** Drops every repo still waiting (a stopping supervisor); the ones launched are the caller's to stop. */
  cancel(): void {
    this.queue.length = 0;
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
  }

  /** How many repos wait their turn. */
  get waiting(): number {
    return this.queue.length;
  }

  private fill(): void {
    while (this.starting.size < this.options.limit && this.queue.length > 0) {
      const repo = this.queue[0];
      // Started, removed or stopped by an operator meanwhile: not the gate's any more.
      if (repo === undefined) return;
      if (repo.state !== 'stopped' || !this.options.isManaged(repo)) {
        this.queue.shift();
        continue;
      }
      if (!this.options.hasRoom(this.starting.size)) {
        if (!this.short) this.options.onShortage(this.queue.length);
        this.short = true;
        this.retryTimer ??= setTimeout(() => {
          this.retryTimer = undefined;
          this.fill();
        }, this.options.retryMs).unref();
        return;
      }
      this.short = false;
      this.queue.shift();
      this.starting.add(repo);
      repo.start();
      // A launch that failed at once (no pid) left `starting` already.
      if (!isStarting(repo.state)) this.starting.delete(repo);
    }
  }
}

// A function, so that the state read after start() is not narrowed to the one read before it.
function isStarting(state: RepoState): boolean {
  return state === 'starting';
}
