import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from 'pino';
import { signalGroup } from '../launch/process-group.js';
import { isProcessAlive, readPidStartTicks } from '../state/process-identity.js';
import type { RepoRecord } from './repo-record.js';

/**
 * True when the worker a record remembers still runs: its pid is alive and
 * started at the recorded time, so it is not another process that reused the pid.
 */
export function isRecordedWorkerAlive(record: Pick<RepoRecord, 'pid' | 'pidStartTicks'>): boolean {
  if (record.pid === null || record.pidStartTicks === null) return false;
  return isProcessAlive(record.pid) && readPidStartTicks(record.pid) === record.pidStartTicks;
}

/**
 * Stops a worker left by an earlier supervisor (its identity checked first):
 * SIGTERM to its process group, then SIGKILL after `stopTimeoutMs`.
 * Resolves true when there was one to stop.
 */
export async function stopStrayWorker(record: RepoRecord, stopTimeoutMs: number, logger: Logger): Promise<boolean> {
  if (!isRecordedWorkerAlive(record) || record.pid === null) return false;
  const pid = record.pid;
  logger.warn({ slug: record.slug, pid }, 'stopping a worker left by an earlier supervisor');
  signalGroup(pid, 'SIGTERM');
  signalGroup(pid, 'SIGCONT');
  const deadline = Date.now() + stopTimeoutMs;
  while (isProcessAlive(pid) && Date.now() < deadline) await sleep(25);
  if (isProcessAlive(pid)) signalGroup(pid, 'SIGKILL');
  while (isProcessAlive(pid)) await sleep(10);
  return true;
}
