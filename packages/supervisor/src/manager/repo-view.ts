import { linkOf, runningSinceOf, workerOf } from './repo-lifecycle.js';
import type { Lifecycle } from './repo-lifecycle.js';
import type { RepoRecord, RepoView } from './repo-record.js';

/** What a repo's view is made of besides its lifecycle. */
export interface RepoViewParts {
  record: Readonly<RepoRecord>;
  restarts: number;
  lastError: string | null;
  lastProbe: RepoView['last_probe'];
  runtimeUrl: string;
  logFile: string;
}

/** A repo as `/api/repos` shows it, in `lifecycle`. */
export function repoView(lifecycle: Lifecycle, parts: RepoViewParts): RepoView {
  const { record } = parts;
  const link = linkOf(lifecycle);
  return {
    slug: record.slug,
    path: record.path,
    status: lifecycle.state,
    pid: workerOf(lifecycle)?.pid ?? null,
    restarts: parts.restarts,
    uptime_seconds: uptimeSeconds(lifecycle),
    last_error: parts.lastError,
    last_probe: parts.lastProbe,
    runtime_url: parts.runtimeUrl,
    autostart: record.autostart,
    http_port: link?.httpPort ?? null,
    source: record.source,
    added_at: record.addedAt,
    runtime: link === null ? null : { running: link.runtime.running, session_id: link.runtime.sessionId, last_error: link.runtime.lastError },
    log_file: parts.logFile,
  };
}

/** `uptime_seconds` of the view: for how long the worker has been running, in seconds to the millisecond (0 when it is not). */
export function uptimeSeconds(lifecycle: Lifecycle): number {
  const since = runningSinceOf(lifecycle);
  return since === null ? 0 : Math.round(Date.now() - since) / 1000;
}
