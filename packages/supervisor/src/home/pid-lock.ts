import { readFile, unlink } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { basename } from 'node:path';
import { isProcessAlive, readProcessCommandLine } from '@repovisor/kit';
import { createAndOpenExclusively, removeStaleTemporaries } from './exclusive-file.js';
import { HomeError, homePaths } from './home-paths.js';
import { holdsFileOpen } from './pid-holder.js';

const ATTEMPTS = 5;

/** A supervisor already runs on this home. */
export class SupervisorRunningError extends Error {
  override readonly name = 'SupervisorRunningError';
  readonly pid: number;
  readonly home: string;

  constructor(pid: number, home: string) {
    super(`Another supervisor (pid ${pid}) is already running on home ${home}; stop it with 'supervisor stop --home ${home}' or use another home`);
    this.pid = pid;
    this.home = home;
  }
}

/** A stale `supervisor.pid` that was replaced, for the caller to log. */
interface StalePidLock {
  /** The pid it named, or null when it held no pid. */
  pid: number | null;
  reason: string;
}

/** The held `supervisor.pid` lock. */
export interface PidLock {
  pid: number;
  /** Set when a stale lock file was replaced. */
  replaced: StalePidLock | null;
  /** Removes `supervisor.pid` if it still holds our pid; safe to call twice. */
  release(): Promise<void>;
}

// Homes locked by this process: our own pid in a lock file means "held" only if we took it here;
// otherwise it is a leftover of an earlier process that had the same pid (pid 1 in containers).
const heldHere = new Set<string>();

/** Takes `<home>/supervisor.pid` for this process, replacing a stale one; throws {@link SupervisorRunningError} if a supervisor holds it. */
export async function acquirePidLock(home: string): Promise<PidLock> {
  const paths = homePaths(home);
  const pid = process.pid;
  let replaced: StalePidLock | null = null;
  await removeStaleTemporaries(paths.pidFile);
  for (let attempt = 0; attempt < ATTEMPTS; attempt += 1) {
    // Kept open while the lock is held: that is how another process tells this home's supervisor (pid-holder.ts).
    const file = await createAndOpenExclusively(paths.pidFile, `${pid}\n`, 0o644).catch((error: unknown) => {
      throw new HomeError(`Cannot write ${paths.pidFile}: ${(error as Error).message}; free space on that disk or check the home's permissions`, { cause: error });
    });
    if (file !== null) {
      heldHere.add(paths.pidFile);
      return { pid, replaced, release: releaser(paths.pidFile, pid, file) };
    }
    const content = await readFile(paths.pidFile, 'utf8').catch(() => undefined);
    if (content === undefined) continue; // removed meanwhile: try again
    const holder = parsePid(content);
    const stale = staleReason(holder, paths.pidFile);
    if (stale === undefined && holder !== null) throw new SupervisorRunningError(holder, paths.home);
    // Remove it only if it still says the same, so a lock just taken by a racing supervisor survives.
    const again = await readFile(paths.pidFile, 'utf8').catch(() => undefined);
    if (again === content) await unlink(paths.pidFile).catch(() => undefined);
    replaced = { pid: holder, reason: stale ?? 'unknown' };
  }
  throw new Error(`Could not take ${paths.pidFile} after ${ATTEMPTS} attempts: other processes keep changing it; check what else uses home ${paths.home}`);
}

function releaser(path: string, pid: number, file: FileHandle): () => Promise<void> {
  let released = false;
  return async () => {
    if (released) return;
    released = true;
    heldHere.delete(path);
    await file.close().catch(() => undefined);
    const content = await readFile(path, 'utf8').catch(() => undefined);
    if (content === undefined || parsePid(content) !== pid) return;
    await unlink(path).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'ENOENT') throw error;
    });
  };
}

/** Why the lock holder is not a running supervisor, or undefined when it is one. */
function staleReason(holder: number | null, path: string): string | undefined {
  if (holder === null) return 'the file holds no pid';
  if (holder === process.pid) return heldHere.has(path) ? undefined : `pid ${holder} is this process, left by an earlier process with the same pid`;
  if (!isProcessAlive(holder)) return `pid ${holder} is not running`;
  const args = readProcessCommandLine(holder);
  // Without /proc (or when hidden) a live pid is assumed to be the supervisor.
  if (args === null) return undefined;
  if (args.length === 0) return `pid ${holder} has exited (no command line)`;
  if (!args.some((arg) => /node/i.test(basename(arg)))) return `pid ${holder} is now another program (${args[0] ?? ''})`;
  // A live supervisor of another home (this file copied, or its pid reused by one) does not hold this file open.
  if (holdsFileOpen(holder, path) === false) return `pid ${holder} does not hold this home's supervisor.pid (it is another home's supervisor or another program)`;
  return undefined;
}

function parsePid(content: string): number | null {
  const text = content.trim();
  if (!/^\d+$/.test(text)) return null;
  const pid = Number(text);
  return Number.isSafeInteger(pid) && pid > 0 ? pid : null;
}
