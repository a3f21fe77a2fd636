import { readFile, rename } from '@repovisor/kit/promised-fs';
import { join } from 'node:path';
import * as z from 'zod/mini';
import { SerialQueue, parseJsonWith, writeFileAtomic } from '@repovisor/kit';
import { PRIVATE_FILE_MODE } from '../runtime/private-files.js';

/** What the repository watcher last saw. */
const RepoSnapshotSchema = z.object({
  head: z.nullable(z.string()),
  branch: z.nullable(z.string()),
  changedFiles: z.int().check(z.minimum(0)),
});

/**
 * A runtime's persisted state (`<data_root>/state.json`). Unknown keys, such as
 * the `workspaces` list that earlier versions wrote, are dropped on load.
 */
const RuntimeStateSchema = z.object({
  version: z.literal(1),
  slug: z.string(),
  starts: z.int().check(z.minimum(0)),
  lastSessionId: z.nullable(z.string()),
  lastStartedAt: z.nullable(z.string()),
  lastStoppedAt: z.nullable(z.string()),
  lastError: z.nullable(z.string()),
  repo: z.nullable(RepoSnapshotSchema),
});

/** The repository watcher's snapshot. */
export type RepoSnapshot = z.infer<typeof RepoSnapshotSchema>;
/** A runtime's persisted state. */
export type RuntimeState = z.infer<typeof RuntimeStateSchema>;

/** Options of {@link StateTracker.load}. */
export interface StateTrackerOptions {
  folder: string;
  slug: string;
  /** Told when an unreadable state file was moved aside. */
  onCorrupt?: (movedTo: string, reason: string) => void;
}

/**
 * Keeps a runtime's state in memory and persists every change to `state.json`
 * with atomic writes, in order. A corrupt file is moved aside, never lost.
 */
export class StateTracker {
  readonly path: string;
  private current: RuntimeState;
  private readonly writes = new SerialQueue();
  // True while the last write failed: what is in memory is not on disk.
  private unsaved = false;

  private constructor(path: string, initial: RuntimeState) {
    this.path = path;
    this.current = initial;
  }

  /** Loads `state.json` from `folder`, or starts empty when there is none. */
  static async load(options: StateTrackerOptions): Promise<StateTracker> {
    const path = join(options.folder, 'state.json');
    const empty: RuntimeState = {
      version: 1,
      slug: options.slug,
      starts: 0,
      lastSessionId: null,
      lastStartedAt: null,
      lastStoppedAt: null,
      lastError: null,
      repo: null,
    };
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return new StateTracker(path, empty);
      throw error;
    }
    const parsed = parseJsonWith(text, RuntimeStateSchema);
    if (parsed.ok) return new StateTracker(path, { ...parsed.value, slug: options.slug });
    const aside = `${path}.corrupt-${Date.now()}`;
    await rename(path, aside);
    options.onCorrupt?.(aside, parsed.reason);
    return new StateTracker(path, empty);
  }

  /** The current state (a copy). */
  get(): RuntimeState {
    return structuredClone(this.current);
  }

  /** Applies `patch` and persists the result (mode 0600); resolves once it is on disk. The state in memory is the new one even when the write fails. */
  update(patch: Partial<Omit<RuntimeState, 'version' | 'slug'>>): Promise<void> {
    this.current = { ...this.current, ...patch };
    const snapshot = `${JSON.stringify(this.current, null, 2)}\n`;
    return this.writes.run(() => this.write(snapshot));
  }

  /** Writes the state again when the last write failed (and rejects if this one fails too); resolves at once otherwise. */
  saveIfUnsaved(): Promise<void> {
    return this.unsaved ? this.update({}) : this.writes.idle();
  }

  private async write(text: string): Promise<void> {
    try {
      await writeFileAtomic(this.path, text, { mode: PRIVATE_FILE_MODE });
      this.unsaved = false;
    } catch (error) {
      this.unsaved = true;
      throw error;
    }
  }

  /** Resolves when every update so far is on disk. */
  flush(): Promise<void> {
    return this.writes.idle();
  }
}
