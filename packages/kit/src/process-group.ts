import { setTimeout as sleep } from 'node:timers/promises';

/** Sends `signal` to the whole process group led by `pid`; false when it is already gone. */
export function signalGroup(pid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(-pid, signal);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ESRCH') return false;
    throw error;
  }
}

/** Options of {@link terminateGroup}. */
export interface TerminateGroupOptions {
  /** Settles when the group's leader has exited. */
  exited: Promise<unknown>;
  /** How long the group gets after SIGTERM before SIGKILL. */
  graceMs: number;
  /** Checked before each signal: false once `pid` may name another process (a pid reused after the leader exited unseen). */
  stillOurs?: () => boolean;
  /** Told just before SIGKILL is sent. */
  onForce?: () => void;
}

/**
 * Ends the process group led by `pid`: SIGTERM (with SIGCONT, so that a
 * stopped group can act on it), then SIGKILL once `graceMs` has passed
 * without the leader's exit. Resolves once it has exited, with how.
 */
export async function terminateGroup(pid: number, options: TerminateGroupOptions): Promise<'exited' | 'killed'> {
  const stillOurs = options.stillOurs ?? (() => true);
  if (!stillOurs()) return 'exited';
  signalGroup(pid, 'SIGTERM');
  signalGroup(pid, 'SIGCONT');
  if (await exitsWithin(options.exited, options.graceMs)) return 'exited';
  if (!stillOurs()) return 'exited';
  options.onForce?.();
  signalGroup(pid, 'SIGKILL');
  await options.exited;
  return 'killed';
}

/**
 * Whether `exited` settles within `ms`. The timer of a wait the exit won is
 * cancelled: left running, it would hold the process's own exit back.
 */
export async function exitsWithin(exited: Promise<unknown>, ms: number): Promise<boolean> {
  const timer = new AbortController();
  try {
    return await Promise.race([exited.then(() => true), sleep(Math.max(0, ms), false, { signal: timer.signal })]);
  } finally {
    timer.abort();
  }
}
