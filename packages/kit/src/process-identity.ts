import { readFileSync } from 'node:fs';

// /proc/<pid>/stat: "pid (comm) state ppid ..."; starttime is field 22, the 20th after the ')'.
const START_TICKS_INDEX = 22 - 3;

/**
 * When process `pid` started, in clock ticks since boot (`/proc/<pid>/stat` field 22),
 * or null when it cannot be read (no such process, or no /proc). A pid with other
 * start ticks than recorded is another process that reused the pid.
 */
export function readPidStartTicks(pid: number): number | null {
  if (!isPid(pid)) return null;
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null;
  }
  // The command name may itself contain ") ", so parse after the last one.
  const fields = stat.slice(stat.lastIndexOf(')') + 1).trim().split(/\s+/);
  const ticks = Number(fields[START_TICKS_INDEX]);
  return Number.isSafeInteger(ticks) && ticks >= 0 ? ticks : null;
}

/** True while a process with `pid` exists (also when it belongs to another user) and is not a zombie. */
export function isProcessAlive(pid: number): boolean {
  if (!isPid(pid)) return false;
  try {
    process.kill(pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
  return readProcessState(pid) !== 'Z';
}

/** The one-letter state of process `pid` (`R`, `S`, `T`, `Z`, …) from /proc, or null when it cannot be read. */
function readProcessState(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.charAt(stat.lastIndexOf(')') + 2) || null;
  } catch {
    return null;
  }
}

/** The arguments of process `pid` from `/proc/<pid>/cmdline`, or null when they cannot be read. */
export function readProcessCommandLine(pid: number): string[] | null {
  if (!isPid(pid)) return null;
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter((arg) => arg !== '');
  } catch {
    return null;
  }
}

function isPid(pid: number): boolean {
  return Number.isSafeInteger(pid) && pid > 0;
}
