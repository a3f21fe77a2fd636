import { ErrorCodes, WorkerNotifications } from '@repovisor/protocol';
import type { Connection, HelloParams } from '@repovisor/protocol';
import type { Logger } from 'pino';
import type { HelloVerdict } from './managed-repo-options.js';
import type { Lifecycle, LifecycleIn, WorkerLink } from './repo-lifecycle.js';
import type { Failure, Result } from '@repovisor/kit';

/**
 * The link of a worker that said hello on `connection`: what it told, kept
 * up to date by its `runtime.state` notifications (`onRuntime` is told of
 * each), and its connection until that closes.
 */
export function openWorkerLink(hello: HelloParams, connection: Connection, onRuntime: () => void, logger: Logger): WorkerLink {
  const link: WorkerLink = { connection, httpPort: hello.httpPort, runtime: { running: hello.running, sessionId: hello.sessionId, lastError: hello.lastError ?? null } };
  connection.onClose(() => {
    if (link.connection === connection) link.connection = undefined;
  });
  connection.onNotification(WorkerNotifications.runtimeState, (state) => {
    link.runtime = { running: state.running, sessionId: state.sessionId, lastError: state.lastError };
    onRuntime();
  });
  connection.onNotification(WorkerNotifications.event, (params) => {
    logger.debug({ event: params.event }, 'worker event');
  });
  return link;
}

/** A hello from worker `pid` to a repo in `lifecycle`: refused (`unexpected_worker`) unless that is the worker the repo waits for or runs. */
export function expectedWorker(
  slug: string,
  lifecycle: Lifecycle,
  pid: number,
): Result<{ current: LifecycleIn<'starting' | 'running' | 'unhealthy'> }, Failure<HelloVerdict>> {
  if (lifecycle.state !== 'starting' && lifecycle.state !== 'running' && lifecycle.state !== 'unhealthy') {
    return { ok: false, code: ErrorCodes.UnexpectedWorker, message: `No worker of ${slug} is expected now (it is ${lifecycle.state})` };
  }
  if (pid !== lifecycle.worker.pid) return { ok: false, code: ErrorCodes.UnexpectedWorker, message: `${slug} belongs to worker pid ${lifecycle.worker.pid}, not ${pid}` };
  return { ok: true, current: lifecycle };
}
