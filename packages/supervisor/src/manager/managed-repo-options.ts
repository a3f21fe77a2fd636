import type { Logger } from 'pino';
import type { LaunchedWorker, LaunchSpec } from '../launch/launch-worker.js';
import type { ProbeResult } from './health-probe.js';
import type { ManagedRepo } from './managed-repo.js';
import type { RepoRecord } from './repo-record.js';
import type { RestartSettings } from './restart-policy.js';
import type { Result } from '@repovisor/kit';

/** Timing settings a managed repo follows. */
export interface ManagedRepoSettings {
  /** `httpIntervalMs`: how old the last passed `GET /healthz` may be before a probe checks it again (0: every probe). */
  health: { intervalMs: number; timeoutMs: number; failureThreshold: number; httpIntervalMs: number };
  restart: RestartSettings;
  startTimeoutMs: number;
  stopTimeoutMs: number;
  graceMs: number;
}

/** Told about what happens to a managed repo (persistence, metrics). */
interface ManagedRepoObserver {
  changed(repo: ManagedRepo): void;
  probed?(repo: ManagedRepo, result: ProbeResult): void;
}

/** What a {@link ManagedRepo} is made of. */
export interface ManagedRepoOptions {
  /** The manager's record of the repo; the repo writes only the fields of its worker (pid, start time, HTTP port). */
  record: RepoRecord;
  settings: ManagedRepoSettings;
  logFile: string;
  dataRoot: string;
  runtimeUrl: string;
  controlAddress: () => string;
  launch: (spec: LaunchSpec) => LaunchedWorker;
  logger: Logger;
  observer: ManagedRepoObserver;
}

/** The answer to a worker's hello. */
export type HelloVerdict = Result<object, { code: string; message: string }>;
