import { readFile, rename } from 'node:fs/promises';
import { writeFileAtomic } from '@repovisor/protocol';
import { homePaths } from '../home/home-paths.js';
import { emptyState, StoredStateSchema } from './state-schema.js';
import type { StoredState } from './state-schema.js';

/** Mode of `supervisor-state.json`: it holds worker tokens. */
export const STATE_FILE_MODE = 0o600;

/** Where {@link StateStore} reports a state file it had to move aside (pino-compatible). */
export interface StateLogger {
  warn(obj: object, msg: string): void;
}

/** A state file that could not be used and was moved aside. */
export interface RecoveredState {
  movedTo: string;
  reason: string;
}

/**
 * The supervisor's registry on disk (`<home>/supervisor-state.json`, mode 0600).
 * Saves are atomic and written one after another in call order; an unreadable file is moved aside, never deleted.
 */
export class StateStore {
  /** Absolute path of the state file. */
  readonly path: string;
  /** Set when the file found at open was corrupt and moved aside; the store then started empty. */
  readonly recovered: RecoveredState | undefined;
  private current: StoredState;
  private queue: Promise<void> = Promise.resolve();

  private constructor(path: string, state: StoredState, recovered: RecoveredState | undefined) {
    this.path = path;
    this.current = state;
    this.recovered = recovered;
  }

  /** Loads the state of `home`: a missing file is an empty state; a corrupt one is moved to `…corrupt-<ms>` with a warning. */
  static async open(home: string, logger?: StateLogger): Promise<StateStore> {
    const path = homePaths(home).state;
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return new StateStore(path, emptyState(), undefined);
      throw new Error(`Cannot read the supervisor state ${path}: ${(error as Error).message}; check its owner and permissions`, { cause: error });
    }
    const parsed = parseState(text);
    if (parsed.ok) return new StateStore(path, parsed.state, undefined);

    const movedTo = `${path}.corrupt-${Date.now()}`;
    await rename(path, movedTo);
    logger?.warn(
      { file: path, movedTo, reason: parsed.reason },
      'supervisor state file is unreadable; moved it aside and started with no stored repos (repos.yaml entries still load; re-add API repos or restore the file)',
    );
    return new StateStore(path, emptyState(), { movedTo, reason: parsed.reason });
  }

  /** The current state (a copy). */
  get(): StoredState {
    return structuredClone(this.current);
  }

  /** Replaces the state and writes it; resolves once this state is on disk. Throws at once if `state` is not a valid state. */
  save(state: StoredState): Promise<void> {
    const checked = StoredStateSchema.safeParse(state);
    if (!checked.success) {
      const problems = checked.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ');
      return Promise.reject(new TypeError(`Refusing to save an invalid supervisor state (${problems}); this is a bug in the caller`));
    }
    this.current = structuredClone(checked.data);
    const text = `${JSON.stringify(checked.data, null, 2)}\n`;
    const written = this.queue.then(() => writeFileAtomic(this.path, text, { mode: STATE_FILE_MODE }));
    // A failed write is reported to its caller; later saves still run.
    this.queue = written.catch(() => undefined);
    return written;
  }

  /** Resolves when every save so far has finished. */
  flush(): Promise<void> {
    return this.queue;
  }
}

function parseState(text: string): { ok: true; state: StoredState } | { ok: false; reason: string } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { ok: false, reason: `not JSON: ${(error as Error).message}` };
  }
  const result = StoredStateSchema.safeParse(value);
  if (result.success) return { ok: true, state: result.data };
  const issues = result.error.issues.map((issue) => `${issue.path.join('.') || '(top level)'}: ${issue.message}`);
  return { ok: false, reason: `not a version 1 supervisor state: ${issues.join('; ')}` };
}
