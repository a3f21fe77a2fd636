import { WorkerNotifications } from '@repovisor/protocol';
import type { Connection, HelloParams } from '@repovisor/protocol';
import type { Logger } from 'pino';
import type { WorkerLink } from './repo-lifecycle.js';

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
