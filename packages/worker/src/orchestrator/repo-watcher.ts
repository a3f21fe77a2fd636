import type { EventBus } from '../events/event-bus.js';
import type { RepoSnapshot, StateTracker } from '../state/state-tracker.js';
import { readRepoSnapshot } from './git.js';
import type { Loop } from './loop.js';
import { readRepoFingerprint } from './repo-fingerprint.js';

/** Without a change of fingerprint, `git status` still runs every this many ticks (30 s at the default 2 s). */
export const FULL_LOOK_EVERY_TICKS = 15;

/** Options of a {@link RepoWatcher}. */
export interface RepoWatcherOptions {
  repoPath: string;
  intervalMs: number;
  bus: EventBus;
  state: StateTracker;
}

/**
 * The repository watcher loop: watches HEAD, branch and the number of changed
 * files, and publishes `repo.changed` when any of them differs from what it
 * last saw (`repo.observed` on the very first look at a repository).
 *
 * Each tick reads a cheap fingerprint of `.git` (a few `stat` calls, no
 * process); only when it changed, or every {@link FULL_LOOK_EVERY_TICKS}
 * ticks, does it run `git status`. A hundred idle workers thus spawn a git
 * process every 300 ms between them instead of fifty a second. The first look
 * waits a random part of one interval, so that workers started together do
 * not all run git while they start.
 */
export class RepoWatcher implements Loop {
  readonly name = 'repo-watcher';
  readonly intervalMs: number;
  readonly initialDelayMs: number;
  private lastFingerprint: string | null = null;
  private ticksSinceFullLook = 0;

  constructor(private readonly options: RepoWatcherOptions) {
    this.intervalMs = options.intervalMs;
    this.initialDelayMs = Math.floor(Math.random() * options.intervalMs);
  }

  async tick(signal: AbortSignal): Promise<void> {
    try {
      await this.look(signal);
    } catch (error) {
      // The tick after a failure looks in full: an unchanged fingerprint must not pass for a repository that works again.
      this.lastFingerprint = null;
      throw error;
    }
  }

  private async look(signal: AbortSignal): Promise<void> {
    // A snapshot that could not be written fails every tick until it is: a loop that skips the
    // write because memory already holds it must not pass for one that works again.
    await this.options.state.saveIfUnsaved();
    const fingerprint = await readRepoFingerprint(this.options.repoPath);
    this.ticksSinceFullLook += 1;
    const unchanged = fingerprint !== null && fingerprint === this.lastFingerprint;
    if (unchanged && this.ticksSinceFullLook < FULL_LOOK_EVERY_TICKS) return;
    const snapshot = await readRepoSnapshot(this.options.repoPath, signal);
    if (signal.aborted) return;
    // Taken before git ran: a change during the run shows as a new fingerprint next tick.
    this.lastFingerprint = fingerprint;
    this.ticksSinceFullLook = 0;
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
