import { readFile, readdir, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { SerialQueue, formatIssues, parseJsonWith, writeFileAtomic } from '@repovisor/kit';
import { homePaths } from '../home/home-paths.js';
import { emptyState, StoredStateSchema } from './state-schema.js';
import type { StoredState } from './state-schema.js';
import type { Result } from '@repovisor/kit';

/** Mode of `supervisor-state.json`: it holds worker tokens. */
const STATE_FILE_MODE = 0o600;

/** Where {@link StateStore} reports a state file it had to move aside (pino-compatible). */
export interface StateLogger {
  warn(obj: object, msg: string): void;
}

/** A state file that could not be used: where it was moved (null when it was missing), why, and whether the backup stood in. */
export interface RecoveredState {
  movedTo: string | null;
  reason: string;
  /** True when the registry came from `supervisor-state.json.bak`; false when it started empty. */
  fromBackup: boolean;
}

/**
 * The supervisor's registry on disk (`<home>/supervisor-state.json`, mode 0600).
 * Saves are atomic and written one after another in call order, each also to a backup
 * (`supervisor-state.json.bak`) that stands in when the main file is unreadable or missing;
 * an unreadable file is moved aside, never deleted.
 */
export class StateStore {
  /** Absolute path of the state file. */
  readonly path: string;
  /** Set when the file found at open was corrupt and moved aside; the store then started empty. */
  readonly recovered: RecoveredState | undefined;
  private current: StoredState;
  private readonly saves = new SerialQueue();

  private constructor(path: string, state: StoredState, recovered: RecoveredState | undefined) {
    this.path = path;
    this.current = state;
    this.recovered = recovered;
  }

  /** Loads the state of `home`: a missing file is an empty state; a corrupt one is moved to `…corrupt-<ms>` with a warning. */
  static async open(home: string, logger?: StateLogger): Promise<StateStore> {
    const path = homePaths(home).state;
    await removeTornWrites(path);
    const text = await readIfPresent(path);
    const parsed = text === undefined ? undefined : parseState(text);
    if (parsed?.ok === true) return new StateStore(path, parsed.state, undefined);

    // The main file is gone or unreadable: the backup of the last good save stands in for it.
    const backupText = await readIfPresent(backupOf(path));
    const backup = backupText === undefined ? undefined : parseState(backupText);
    if (parsed === undefined) {
      if (backup?.ok !== true || backupText === undefined) return new StateStore(path, emptyState(), undefined);
      await writeFileAtomic(path, backupText, { mode: STATE_FILE_MODE });
      logger?.warn({ file: path, backup: backupOf(path) }, 'supervisor state file is missing; restored the registry from its backup');
      return new StateStore(path, backup.state, { movedTo: null, reason: 'the state file was missing', fromBackup: true });
    }
    const movedTo = `${path}.corrupt-${Date.now()}`;
    await rename(path, movedTo);
    const fromBackup = backup?.ok === true;
    if (fromBackup && backupText !== undefined) await writeFileAtomic(path, backupText, { mode: STATE_FILE_MODE });
    logger?.warn(
      { file: path, movedTo, reason: parsed.reason, fromBackup },
      fromBackup
        ? 'supervisor state file is unreadable; moved it aside and restored the registry from its backup'
        : 'supervisor state file is unreadable and has no usable backup; moved it aside and started with no stored repos (repos.yaml entries still load; re-add API repos or restore the file)',
    );
    return new StateStore(path, backup?.ok === true ? backup.state : emptyState(), { movedTo, reason: parsed.reason, fromBackup });
  }

  /** The current state (a copy). */
  get(): StoredState {
    return structuredClone(this.current);
  }

  /** Replaces the state and writes it; resolves once this state is on disk. Throws at once if `state` is not a valid state. */
  save(state: StoredState): Promise<void> {
    const checked = StoredStateSchema.safeParse(state);
    if (!checked.success) {
      const problems = formatIssues(checked.error.issues);
      return Promise.reject(new TypeError(`Refusing to save an invalid supervisor state (${problems}); this is a bug in the caller`));
    }
    this.current = structuredClone(checked.data);
    const text = `${JSON.stringify(checked.data, null, 2)}\n`;
    // A failed write is reported to its caller; later saves still run.
    return this.saves.run(async () => {
      await writeFileAtomic(this.path, text, { mode: STATE_FILE_MODE });
      await writeFileAtomic(backupOf(this.path), text, { mode: STATE_FILE_MODE });
    });
  }

}

function parseState(text: string): Result<{ state: StoredState }, { reason: string }> {
  const parsed = parseJsonWith(text, StoredStateSchema);
  if (parsed.ok) return { ok: true, state: parsed.value };
  return { ok: false, reason: parsed.reason.startsWith('not JSON') ? parsed.reason : `not a version 1 supervisor state: ${parsed.reason}` };
}

// A write killed before its rename leaves `.supervisor-state.json.<pid>.<random>.tmp`: never the state itself.
async function removeTornWrites(path: string): Promise<void> {
  const prefix = `.${basename(path)}.`;
  let names: string[];
  try {
    names = await readdir(dirname(path));
  } catch {
    return;
  }
  for (const name of names) {
    if (name.startsWith(prefix) && name.endsWith('.tmp')) await unlink(join(dirname(path), name)).catch(() => undefined);
  }
}

/** Where the copy of the last good save is kept: `supervisor-state.json.bak`. */
function backupOf(path: string): string {
  return `${path}.bak`;
}

async function readIfPresent(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new Error(`Cannot read the supervisor state ${path}: ${(error as Error).message}; check its owner and permissions`, { cause: error });
  }
}
