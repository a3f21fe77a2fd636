import type { RepoView } from '../manager/repo-record.js';
import { textTable } from './text-table.js';

/** Formats seconds as `3d4h`, `2h5m`, `4m10s` or `12s`. */
function formatUptime(seconds: number): string {
  if (seconds <= 0) return '-';
  const s = Math.floor(seconds);
  const [d, h, m] = [Math.floor(s / 86_400), Math.floor((s % 86_400) / 3600), Math.floor((s % 3600) / 60)];
  if (d > 0) return `${d}d${h}h`;
  if (h > 0) return `${h}h${m}m`;
  if (m > 0) return `${m}m${s % 60}s`;
  return `${s}s`;
}

/**
 * The LAST ERROR cell: what is wrong now inside a live worker (its runtime's
 * `last_error`: a loop failing and being retried, shown as `runtime: …`), else
 * why the worker last went down.
 */
export function lastError(repo: Pick<RepoView, 'last_error' | 'runtime'>): string {
  const runtimeError = repo.runtime?.last_error ?? null;
  if (runtimeError !== null) return `runtime: ${runtimeError}`;
  return repo.last_error ?? '';
}

/** The `supervisor status` table: one row per repo. */
export function statusTable(repos: RepoView[]): string {
  const header = ['SLUG', 'STATE', 'PID', 'RESTARTS', 'UPTIME', 'LAST PROBE', 'LAST ERROR'];
  const rows = repos.map((repo) => [
    repo.slug,
    repo.status,
    repo.pid === null ? '-' : String(repo.pid),
    String(repo.restarts),
    formatUptime(repo.uptime_seconds),
    repo.last_probe === null ? '-' : `${repo.last_probe.ok ? 'ok' : 'FAILED'} ${repo.last_probe.latency_ms.toFixed(1)}ms`,
    lastError(repo),
  ]);
  if (rows.length === 0) return `${textTable(header, [])}(no repos: add one with 'supervisor add <path>')\n`;
  return textTable(header, rows);
}
