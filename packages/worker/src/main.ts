#!/usr/bin/env node
/**
 * `repo-worker`: one Repovisor worker for one git repository. Reads its
 * settings from REPOVISOR_* variables (see docs/ARCHITECTURE.md), builds its
 * runtime, serves /api/runtimes and dials the supervisor when told where it is.
 */
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { JsonLineLogger } from './log/worker-logger.js';
import type { LogLevelName } from './log/worker-logger.js';
import { restoreExtraCaCerts } from '@repovisor/kit';
import { readWorkerEnv } from './process/worker-env.js';
import { startWorker } from './process/worker-process.js';
import type { WorkerProcess } from './process/worker-process.js';

const USAGE_EXIT = 2;

function fail(lines: string[]): never {
  process.stderr.write(`repo-worker: ${lines.join('\n  ')}\n`);
  process.exit(USAGE_EXIT);
}

// First: anything the worker runs must see NODE_EXTRA_CA_CERTS as the operator set it.
restoreExtraCaCerts(process.env);
const result = readWorkerEnv(process.env);
if (!result.ok) {
  fail(['invalid environment:', ...result.problems.map((problem) => `- ${problem}`), 'See docs/ARCHITECTURE.md, "A worker\'s environment".']);
}
const settings = result.settings;
try {
  if (!statSync(settings.repoPath).isDirectory()) fail([`REPOVISOR_REPO_PATH: ${settings.repoPath} is not a folder`]);
  statSync(join(settings.repoPath, '.git'));
} catch {
  fail([`REPOVISOR_REPO_PATH: ${settings.repoPath} does not exist or is not a git repository (no .git inside)`]);
}

const logger = new JsonLineLogger({ level: settings.logLevel as LogLevelName, bindings: { pid: process.pid, slug: settings.slug } });
const exit = (code: number): void => {
  logger.flush();
  process.exit(code);
};

process.on('uncaughtException', (error) => {
  logger.fatal({ err: error }, 'uncaught exception');
  exit(1);
});
process.on('unhandledRejection', (reason) => {
  logger.fatal({ err: reason }, 'unhandled rejection');
  exit(1);
});

// Signal handlers are in place before anything starts: a SIGTERM that comes
// while the worker is still starting (say, right after it listens) is held
// and acted on once it has started, instead of killing it unflushed.
let started: WorkerProcess | undefined;
let stopSignal: NodeJS.Signals | undefined;
const stop = (worker: WorkerProcess, signal: NodeJS.Signals): void => {
  worker.shutdown(`received ${signal}`).then(
    () => exit(0),
    (error: unknown) => {
      logger.error({ err: error }, 'shutdown failed');
      exit(1);
    },
  );
};
// `on`, not `once`: a second signal (Ctrl-C reaches a whole group) must not kill it mid-shutdown.
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => {
    if (stopSignal !== undefined) return;
    stopSignal = signal;
    if (started !== undefined) stop(started, signal);
  });
}

// No top-level await: the bundle is CommonJS, which starts faster (scripts/build/bundle.mjs).
startWorker(settings, logger, exit).then(
  (worker) => {
    started = worker;
    if (stopSignal !== undefined) stop(worker, stopSignal);
  },
  (error: unknown) => {
    logger.fatal({ err: error }, 'worker could not start');
    exit(1);
  },
);
