import { isProcessAlive, readPidStartTicks } from '@repovisor/kit';
import type { LaunchedWorker } from './launch-worker.js';

/**
 * A worker started by an earlier supervisor, taken back by this one. It is not
 * our child, so its exit is noticed by polling: the pid is gone, or it now
 * belongs to a process that started at another time. Its exit status is unknown.
 */
export function watchAdoptedWorker(pid: number, startTicks: number, pollMs = 200): LaunchedWorker {
  const exited = new Promise<{ code: null; signal: null }>((resolve) => {
    const timer = setInterval(() => {
      if (isProcessAlive(pid) && readPidStartTicks(pid) === startTicks) return;
      clearInterval(timer);
      resolve({ code: null, signal: null });
    }, pollMs);
    timer.unref();
  });
  return { pid, exited };
}
