import { sep } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from 'pino';
import { isProcessAlive, readPidStartTicks, terminateGroup } from '@repovisor/kit';
import type { FoundWorker } from './find-workers.js';
import type { RepoRecord, WorkerRecordPatch } from './repo-record.js';

/** Where to look for the workers of an earlier supervisor, and how to stop the ones not taken back. */
export interface EarlierWorkersOptions {
  /** The repos now managed. */
  records: readonly Readonly<RepoRecord>[];
  /** Records the worker a repo takes back, or that it has none (`RepoManager.updateRecord`). */
  update: (slug: string, patch: WorkerRecordPatch) => void;
  /** Live worker processes by data root (see `findWorkersByDataRoot`). */
  found: Map<string, FoundWorker[]>;
  dataRoot: (slug: string) => string;
  /** The home's `repos/` folder: any worker found below it that is not taken back is stopped. */
  reposFolder: string;
  stopTimeoutMs: number;
  logger: Logger;
}

/**
 * Sorts out the workers an earlier supervisor left running: for each managed
 * repo, one worker carrying its token (the recorded one if it is alive, else
 * the newest, such as one launched just before a crash) is kept for re-adoption;
 * every other worker under the home is stopped, so there are never two workers
 * for one slug. Resolves with the records whose worker is kept.
 */
export async function sortOutEarlierWorkers(options: EarlierWorkersOptions): Promise<Readonly<RepoRecord>[]> {
  const kept: Readonly<RepoRecord>[] = [];
  const claimed = new Set<number>();
  for (const record of options.records) {
    const candidates = (options.found.get(options.dataRoot(record.slug)) ?? []).filter((worker) => worker.token === record.token);
    const keep =
      candidates.find((worker) => worker.pid === record.pid && worker.startTicks === record.pidStartTicks) ??
      [...candidates].sort((a, b) => b.startTicks - a.startTicks)[0];
    if (keep === undefined) {
      options.update(record.slug, { pid: null, pidStartTicks: null, httpPort: null });
      continue;
    }
    // The recorded HTTP port is the recorded worker's.
    options.update(record.slug, keep.pid === record.pid ? { pidStartTicks: keep.startTicks } : { pid: keep.pid, pidStartTicks: keep.startTicks, httpPort: null });
    claimed.add(keep.pid);
    kept.push(record);
  }
  const strays: { dataRoot: string; worker: FoundWorker }[] = [];
  for (const [dataRoot, workers] of options.found) {
    if (!dataRoot.startsWith(options.reposFolder + sep)) continue;
    for (const worker of workers) if (!claimed.has(worker.pid)) strays.push({ dataRoot, worker });
  }
  await Promise.all(
    strays.map(({ dataRoot, worker }) => {
      options.logger.warn({ dataRoot, workerPid: worker.pid }, 'stopping a worker of an earlier supervisor that is not taken back');
      return stopWorkerProcess(worker.pid, worker.startTicks, options.stopTimeoutMs);
    }),
  );
  return kept;
}

/**
 * Stops a worker that is not our child, its identity checked first (pid and
 * start time): SIGTERM to its process group, then SIGKILL after `stopTimeoutMs`.
 */
async function stopWorkerProcess(pid: number, startTicks: number, stopTimeoutMs: number): Promise<void> {
  const same = () => isProcessAlive(pid) && readPidStartTicks(pid) === startTicks;
  await terminateGroup(pid, { exited: whenGone(same), graceMs: stopTimeoutMs, stillOurs: same });
}

// Not our child, so no exit event: its identity is polled.
async function whenGone(same: () => boolean): Promise<void> {
  while (same()) await sleep(10);
}
