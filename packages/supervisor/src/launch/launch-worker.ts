import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { closeSync, mkdirSync, openSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { deferExtraCaCerts } from '@repovisor/kit';
import { workerEntryPath } from './worker-entry.js';
import { PIPELINE_ENV } from '@repovisor/protocol';
import type { PipelineSettings } from '@repovisor/protocol';

/** Everything needed to start one worker process. */
export interface LaunchSpec {
  slug: string;
  repoPath: string;
  dataRoot: string;
  /** The worker's stdout and stderr are appended here. */
  logFile: string;
  /** `host:port` of the supervisor's control port. */
  control: string;
  /** The per-worker secret; passed in the environment, never in argv. */
  token: string;
  graceMs: number;
  /** Extra environment from repos.yaml. */
  env: Record<string, string>;
  /** The worker's log level (default info). */
  logLevel?: string;
  /** The repo's pipeline (REPOVISOR_PIPELINE); null or absent: it runs none. */
  pipeline?: PipelineSettings | null;
}

/** How a worker process ended. */
export interface WorkerExit {
  code: number | null;
  signal: string | null;
}

/** A worker process started by this supervisor. */
export interface LaunchedWorker {
  pid: number;
  /** Resolves once the process has exited (never rejects). */
  exited: Promise<WorkerExit>;
}

/** Where a worker's process could not be started. */
class LaunchError extends Error {
  override readonly name = 'LaunchError';
}

/**
 * The operator's code cache setting (`REPOVISOR_CODE_CACHE`: a folder, or
 * `off`) for the workers too, a folder made absolute (docs/CONFIGURATION.md).
 */
function codeCacheSetting(): { REPOVISOR_CODE_CACHE?: string } {
  const setting = process.env.REPOVISOR_CODE_CACHE;
  if (setting === undefined || setting === '') return {};
  return { REPOVISOR_CODE_CACHE: setting === 'off' ? setting : resolve(setting) };
}

/**
 * Starts a worker as the leader of its own process group (so that stopping it
 * takes everything it started), with its output appended to its log file and
 * its settings and token in its environment.
 */
export function launchWorker(spec: LaunchSpec): LaunchedWorker {
  mkdirSync(dirname(spec.logFile), { recursive: true, mode: 0o700 });
  // The worker gets the log file itself (O_APPEND), not a pipe through us: it must
  // keep logging when this supervisor dies, until a new one re-adopts it.
  // node:child_process, not execa: nothing of execa's is used for a detached
  // process with its output in a file, and its import and first call would delay
  // the supervisor's first launch (docs/ARCHITECTURE.md, "Decisions worth knowing").
  const log = openSync(spec.logFile, 'a', 0o600);
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('REPOVISOR_')));
  let child: ChildProcess;
  try {
    child = spawn(process.execPath, [workerEntryPath()], {
      detached: true,
      env: deferExtraCaCerts({
        ...inherited,
        ...spec.env,
        REPOVISOR_SLUG: spec.slug,
        REPOVISOR_REPO_PATH: spec.repoPath,
        REPOVISOR_DATA_ROOT: spec.dataRoot,
        REPOVISOR_CONTROL: spec.control,
        REPOVISOR_TOKEN: spec.token,
        REPOVISOR_HTTP_PORT: '0',
        REPOVISOR_GRACE_MS: String(spec.graceMs),
        REPOVISOR_LOG_LEVEL: spec.logLevel ?? 'info',
        ...(spec.pipeline ? { [PIPELINE_ENV]: JSON.stringify(spec.pipeline) } : {}),
        ...codeCacheSetting(),
      }),
      stdio: ['ignore', log, log],
    });
  } finally {
    closeSync(log);
  }
  // A spawn that fails (EAGAIN, ENOMEM…) leaves no pid and reports 'error' later; after a
  // good spawn, 'error' only means a failed kill() and 'exit' still comes. Neither may throw.
  child.on('error', () => undefined);
  const pid = child.pid;
  if (pid === undefined) throw new LaunchError(`Could not start the worker of ${spec.slug}: no pid (see ${spec.logFile})`);
  const exited = new Promise<WorkerExit>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  return { pid, exited };
}
