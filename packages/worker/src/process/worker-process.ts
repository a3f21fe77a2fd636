import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { WorkerLogger } from '../log/worker-logger.js';
import { createWorkerHttpServer } from '../http/worker-http-server.js';
import { RepoRuntimeRegistry } from '../runtime/repo-runtime-registry.js';
import type { RepoRuntime } from '../runtime/repo-runtime.js';
import { ControlClient } from './control-client.js';
import { ProcessHealth } from './process-health.js';
import type { WorkerSettings } from './worker-env.js';

/** A running worker: its runtime, HTTP server (unless headless) and control client. */
export interface WorkerProcess {
  readonly runtime: RepoRuntime;
  readonly registry: RepoRuntimeRegistry;
  /** The HTTP port, or null when headless. */
  readonly httpPort: number | null;
  /** Stops everything; resolves when the runtime's files are written. Safe to call twice. */
  shutdown(reason: string): Promise<void>;
}

/**
 * Builds and starts a worker from its settings: one runtime through the
 * registry (that is, `RepoRuntime.create`), in HTTP and headless mode alike;
 * then the HTTP server and the control client when configured.
 */
export async function startWorker(settings: WorkerSettings, logger: WorkerLogger, onExit: (code: number) => void): Promise<WorkerProcess> {
  const registry = new RepoRuntimeRegistry(logger);
  const runtime = await registry.add({
    slug: settings.slug,
    repoPath: settings.repoPath,
    dataRoot: settings.dataRoot,
    watchIntervalMs: settings.watchIntervalMs,
    pipeline: settings.pipeline,
  });
  await runtime.start();

  let server: Server | undefined;
  let httpPort: number | null = null;
  if (settings.httpPort !== 'off') {
    server = createWorkerHttpServer({ registry, logger, token: settings.token });
    server.listen(settings.httpPort, '127.0.0.1');
    await once(server, 'listening');
    httpPort = (server.address() as AddressInfo).port;
    logger.info({ url: `http://127.0.0.1:${httpPort}/api/runtimes`, port: httpPort }, 'worker listening');
  } else {
    logger.info('worker running headless (REPOVISOR_HTTP_PORT=off)');
  }

  const health = new ProcessHealth();
  let shuttingDown: Promise<void> | undefined;
  const shutdown = (reason: string): Promise<void> => {
    shuttingDown ??= (async () => {
      logger.info({ reason }, 'worker shutting down');
      control?.stop();
      if (server !== undefined) {
        server.close();
        server.closeAllConnections();
      }
      await registry.stopAll();
      health.dispose();
    })();
    return shuttingDown;
  };

  const control =
    settings.control === undefined || settings.token === undefined
      ? undefined
      : new ControlClient({
          host: settings.control.host,
          port: settings.control.port,
          token: settings.token,
          runtime,
          health,
          logger,
          httpPort: () => httpPort,
          graceMs: settings.graceMs,
          onShutdown: (reason) => void shutdown(reason).then(() => onExit(0)),
          onGraceExpired: () => void shutdown('no supervisor within the grace period').then(() => onExit(0)),
        });
  control?.start();

  return { runtime, registry, httpPort, shutdown };
}
