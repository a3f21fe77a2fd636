import { readFileSync, readdirSync } from 'node:fs';
import { readPidStartTicks } from '@repovisor/kit';

/** A live worker process found in /proc. */
export interface FoundWorker {
  pid: number;
  startTicks: number;
  /** Its REPOVISOR_TOKEN, to tell our workers from anything else with the same data root. */
  token: string | undefined;
}

/**
 * Live worker processes (running `workerMain`) by their data root, read from
 * /proc: the workers of an earlier supervisor, including any it launched but
 * died before recording. Their git children, which inherit the environment,
 * are not counted. Processes of other users cannot be read and are skipped.
 */
export function findWorkersByDataRoot(workerMain: string): Map<string, FoundWorker[]> {
  const found = new Map<string, FoundWorker[]>();
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return found;
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    if (pid === process.pid) continue;
    try {
      const args = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
      if (!args.includes(workerMain)) continue;
      const environ = readFileSync(`/proc/${entry}/environ`, 'utf8').split('\0');
      const dataRoot = valueOf(environ, 'REPOVISOR_DATA_ROOT');
      const startTicks = readPidStartTicks(pid);
      if (dataRoot === undefined || startTicks === null) continue;
      const list = found.get(dataRoot) ?? [];
      list.push({ pid, startTicks, token: valueOf(environ, 'REPOVISOR_TOKEN') });
      found.set(dataRoot, list);
    } catch {
      // Gone while we looked, or not ours to read.
    }
  }
  return found;
}

function valueOf(environ: string[], name: string): string | undefined {
  const prefix = `${name}=`;
  return environ.find((variable) => variable.startsWith(prefix))?.slice(prefix.length);
}
