import { SupervisorRequests } from '@repovisor/protocol';
import type { Connection } from '@repovisor/protocol';
import type { Logger } from 'pino';
import { exitsWithin, terminateGroup } from '@repovisor/kit';
import type { WorkerProcess } from './repo-lifecycle.js';

// A worker gets this long to answer `shutdown` and exit before SIGTERM.
const SHUTDOWN_BUDGET_MS = 2000;

/** How to stop one worker. */
export interface StopWorkerOptions {
  worker: WorkerProcess;
  /** Its control connection, if open: the worker is asked to shut down over it first. */
  connection: Connection | undefined;
  reason: string;
  stopTimeoutMs: number;
  logger: Logger;
}

/**
 * Stops a worker and its process group, gracefully then by force: `shutdown`
 * over its connection (for at most two seconds, or the stop timeout if
 * shorter), then SIGTERM, then SIGKILL after the stop timeout. Resolves once
 * the worker has exited.
 */
export async function stopWorker(options: StopWorkerOptions): Promise<void> {
  const { worker, connection, stopTimeoutMs, logger } = options;
  if (connection !== undefined && !connection.closed) {
    const budget = Math.min(SHUTDOWN_BUDGET_MS, stopTimeoutMs);
    connection.request(SupervisorRequests.shutdown, { reason: options.reason }, { timeoutMs: budget }).catch(() => undefined);
    if (await exitsWithin(worker.exited, budget)) return;
  }
  logger.info({ workerPid: worker.pid }, 'sending SIGTERM to the worker group');
  await terminateGroup(worker.pid, {
    exited: worker.exited,
    graceMs: stopTimeoutMs,
    onForce: () => logger.warn({ workerPid: worker.pid, stopTimeoutMs }, 'worker ignored SIGTERM; sending SIGKILL'),
  });
}
