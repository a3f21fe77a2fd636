import type { Server } from 'node:http';
import type { Logger } from 'pino';
import type { LoadedConfig } from './config/load-config.js';
import { ControlServer } from './control/control-server.js';
import { readOrCreateApiToken } from './home/api-token.js';
import { prepareHome } from './home/home-paths.js';
import type { HomePaths } from './home/home-paths.js';
import { acquirePidLock } from './home/pid-lock.js';
import { removePortFile, writePortFile } from './home/port-file.js';
import { lazyMetrics } from './http/lazy-metrics.js';
import { listenForApi } from './http/api-listener.js';
import { ProtocolRequestCounts } from './http/request-counts.js';
import { createSupervisorHandler } from './http/supervisor-handler.js';
import { createUpgradeHandler } from './http/stream-upgrade.js';
import { warnOnDescriptorLimit } from './launch/descriptor-limit.js';
import { launchWorker } from './launch/launch-worker.js';
import { LogRotator } from './launch/log-rotator.js';
import { RepoManager } from './manager/repo-manager.js';
import { findWorkersByDataRoot } from './manager/find-workers.js';
import { sortOutEarlierWorkers } from './manager/stray-workers.js';
import { workerEntryPath } from './launch/worker-entry.js';
import { nodeHttp, preloadForHellos } from './lazy-modules.js';
import type { RepoRecord } from './manager/repo-record.js';
import { mergeRepos } from './state/merge-repos.js';
import { newWorkerToken } from './state/state-schema.js';
import { StateStore } from './state/state-store.js';

/** A supervisor that is up: its addresses and how to stop it. */
export interface RunningSupervisor {
  readonly manager: RepoManager;
  readonly paths: HomePaths;
  /** Base URL of the HTTP API, e.g. `http://127.0.0.1:8765`. */
  readonly httpUrl: string;
  readonly controlPort: number;
  /** Stops every worker, closes both ports, removes the port and pid files. Safe to call twice. */
  stop(reason: string): Promise<void>;
}

/** A start-up cut short by a signal: everything it had started was stopped again. */
export class StartAbortedError extends Error {
  override readonly name = 'StartAbortedError';
}

/**
 * Starts a supervisor from a validated configuration: takes the home's lock,
 * merges repos.yaml with the persisted registry, opens the control port and
 * the HTTP API's port, starts every autostart repo, then serves the API.
 * When `signal` aborts before it is up, it stops whatever it started (workers
 * included), removes its files and throws {@link StartAbortedError}.
 */
export async function startSupervisor(config: LoadedConfig, logger: Logger, signal?: AbortSignal): Promise<RunningSupervisor> {
  const { settings } = config;
  const checkpoint = () => {
    if (signal?.aborted === true) throw new StartAbortedError(`start-up stopped: ${String(signal.reason)}`);
  };
  checkpoint();
  const paths = await prepareHome(settings.home);
  const lock = await acquirePidLock(paths.home);
  if (lock.replaced !== null) logger.warn({ stalePid: lock.replaced.pid, reason: lock.replaced.reason }, 'replaced a stale supervisor.pid');
  const cleanups: (() => Promise<void>)[] = [() => lock.release()];
  const undo = async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  };
  try {
    checkpoint();
    // Independent files, each written with fsync: side by side.
    const [apiToken, store] = await Promise.all([readOrCreateApiToken(paths.home), StateStore.open(paths.home, logger)]);
    if (store.recovered !== undefined) {
      const { movedTo, reason, fromBackup } = store.recovered;
      logger.error(
        { movedTo, reason, fromBackup },
        fromBackup
          ? 'supervisor-state.json was corrupt or missing: restored the registry from supervisor-state.json.bak'
          : 'supervisor-state.json was corrupt: moved aside; no usable backup, starting from repos.yaml alone',
      );
    }
    const stored = store.get();
    const records: RepoRecord[] = mergeRepos(config.repos, stored.repos, newWorkerToken, {
      onEvent: (event) => {
        if (event.kind === 'api_repo_adopted') {
          logger.info({ slug: event.repo.slug }, 'a repo added over the API is now in repos.yaml');
          return;
        }
        logger.warn({ kind: event.kind, slug: event.dropped.slug }, 'a stored repo was dropped in favour of repos.yaml');
      },
    });
    warnOnDescriptorLimit(records.length, logger);
    checkpoint();
    let controlPort = 0;
    let httpAddress: { host: string; port: number } | null = null;
    // Counted from the start; the metrics themselves (and prom-client) are made on the first GET /metrics.
    const requests = new ProtocolRequestCounts();
    cleanups.push(() => {
      requests.dispose();
      return Promise.resolve();
    });
    const metrics = lazyMetrics(() => manager, requests);
    const manager: RepoManager = new RepoManager(
      {
        settings,
        logFile: paths.logFile,
        dataRoot: paths.dataRoot,
        controlAddress: () => control.address,
        persist: (repos) => store.save({ version: 1, controlPort, http: httpAddress, repos }),
        logger,
        // Workers log at the supervisor's own level (supervisor start --log-level).
        // A repo added through the API has no pipeline of its own: it gets supervisor.pipeline.
        launch: (spec) => launchWorker({ ...spec, logLevel: logger.level, pipeline: spec.pipeline === undefined ? config.pipelineDefaults : spec.pipeline }),
        onProbe: (_repo, result) => metrics.probed(result),
      },
      records,
    );
    // Live workers of managed repos are taken back (re-adoption); any other worker under this home is stopped.
    const live = await sortOutEarlierWorkers({
      records: manager.all().map((repo) => repo.record),
      update: (slug, patch) => manager.updateRecord(slug, patch),
      found: findWorkersByDataRoot(workerEntryPath()),
      dataRoot: paths.dataRoot,
      reposFolder: paths.repos,
      stopTimeoutMs: settings.stopTimeoutMs,
      logger,
    });

    const control = new ControlServer({
      host: settings.control.host,
      port: settings.control.port,
      logger,
      authenticate: (hello, connection) => manager.authenticate(hello, connection),
      helloTimeoutMs: settings.control.helloTimeoutMs,
      actions: { manager, apiToken, legacyClients: settings.control.legacyClients },
    });
    const rotator = new LogRotator({ maxBytes: settings.logMaxBytes, files: () => manager.all().map((repo) => paths.logFile(repo.slug)), logger });
    rotator.start();
    cleanups.push(() => rotator.stop());
    cleanups.push(() => control.close());
    // Every worker, adopted or launched, is stopped by a start-up that is cut short or fails.
    cleanups.push(() => manager.stopAll());

    for (const record of live) manager.get(record.slug)?.adopt();
    controlPort = await listenForWorkers(control, settings.control.port, stored.controlPort, live.length, logger, async () => {
      // The old workers dial a port we cannot have: stop them (identity checked) and start new ones.
      await Promise.all(
        live.map(async (record) => {
          await manager.get(record.slug)?.ensureStopped();
        }),
      );
    });
    checkpoint();
    // The API's port is bound before any launch (a port in use fails the start with no worker
    // launched); node:http itself loads only once the first workers boot.
    const apiListener = await listenForApi(settings.http.host, settings.http.port, logger);
    cleanups.push(() => apiListener.close());
    checkpoint();
    // The port file is written while the first workers launch (they are told the port in their
    // environment; the file is for the CLI and for workers that redial later).
    const portFileWritten = writePortFile(paths.home, controlPort);
    cleanups.push(async () => {
      await portFileWritten.catch(() => undefined);
      await removePortFile(paths.home);
    });
    // Workers start now, while the HTTP API is still being set up: a worker
    // takes longer to start than the API, and they start on other cores.
    manager.startAutostart();
    preloadForHellos();
    await portFileWritten;
    checkpoint();

    const handler = createSupervisorHandler({ manager, metrics: metrics.load, logger, apiToken, dataRoot: paths.dataRoot, logFile: paths.logFile });
    const { createServer } = nodeHttp();
    // Slow or silent clients are cut off: a request must send its headers and finish within these limits.
    const server: Server = createServer(
      { headersTimeout: settings.http.headersTimeoutMs, requestTimeout: settings.http.requestTimeoutMs, connectionsCheckingInterval: 1000 },
      handler,
    );
    const upgrades = createUpgradeHandler(manager, logger);
    server.on('upgrade', upgrades.handle);
    server.keepAliveTimeout = 5000;
    server.maxConnections = 10_000;
    await apiListener.handOver(server);
    cleanups.push(async () => {
      server.closeAllConnections();
      upgrades.closeAll();
      await new Promise((resolve) => server.close(resolve));
    });
    const bound = apiListener.address;
    httpAddress = { host: settings.http.host, port: bound.port };
    const httpUrl = `http://${bound.family === 'IPv6' ? `[${bound.address}]` : bound.address}:${bound.port}`;
    await manager.save();
    checkpoint();
    logger.info({ http: httpUrl, controlPort, home: paths.home, tokenFile: paths.apiToken, repos: records.length }, 'supervisor started');

    let stopping: Promise<void> | undefined;
    return {
      manager,
      paths,
      httpUrl,
      controlPort,
      stop: (reason) => {
        stopping ??= (async () => {
          logger.info({ reason }, 'supervisor stopping');
          await undo();
          logger.info('supervisor stopped');
        })();
        return stopping;
      },
    };
  } catch (error) {
    if (error instanceof StartAbortedError) logger.info({ reason: String(signal?.reason) }, 'supervisor stopping during start-up');
    await undo();
    if (error instanceof StartAbortedError) logger.info('supervisor stopped');
    throw error;
  }
}

/**
 * Binds the control port: the configured one, or, when the configuration
 * leaves it to us (port 0), the port of the previous run so that its live
 * workers can redial it. When that port cannot be had, `abandon` stops those
 * workers and an ephemeral port is used.
 */
async function listenForWorkers(
  control: ControlServer,
  configured: number,
  previous: number | null,
  liveWorkers: number,
  logger: Logger,
  abandon: () => Promise<void>,
): Promise<number> {
  const preferred = configured === 0 && previous !== null && liveWorkers > 0 ? previous : configured;
  try {
    return await control.listen(preferred);
  } catch (error) {
    if (preferred === configured) {
      await abandon();
      throw error;
    }
    logger.warn({ port: preferred, err: error }, 'cannot bind the previous control port again: stopping the workers of the earlier supervisor and starting new ones');
    await abandon();
    return control.listen(configured);
  }
}
