import type { EventBus } from '../events/event-bus.js';
import type { RepoSnapshot, StateTracker } from '../state/state-tracker.js';
import { readRepoSnapshot } from './git.js';
import type { Loop } from './loop.js';

/** Options of a {@link RepoWatcher}. */
export interface RepoWatcherOptions {
  repoPath: string;
  intervalMs: number;
  bus: EventBus;
  state: StateTracker;
}

/**
 * The repository watcher loop: polls HEAD, branch and the number of changed
 * files, and publishes `repo.changed` when any of them differs from what it
 * last saw (`repo.observed` on the very first look at a repository).
 */
export class RepoWatcher implements Loop {
  readonly name = 'repo-watcher';
  readonly intervalMs: number;

  constructor(private readonly options: RepoWatcherOptions) {
    this.intervalMs = options.intervalMs;
  }

  async tick(signal: AbortSignal): Promise<void> {
    const snapshot = await readRepoSnapshot(this.options.repoPath, signal);
    if (signal.aborted) return;
    const previous = this.options.state.get().repo;
    if (previous !== null && sameSnapshot(previous, snapshot)) return;
    const type = previous === null ? 'repo.observed' : 'repo.changed';
    this.options.bus.publish(type, { ...snapshot, previous });
    await this.options.state.update({ repo: snapshot });
  }
}

function sameSnapshot(a: RepoSnapshot, b: RepoSnapshot): boolean {
  return a.head === b.head && a.branch === b.branch && a.changedFiles === b.changedFiles;
}
