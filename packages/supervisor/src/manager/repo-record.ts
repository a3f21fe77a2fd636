import type { StoredRepo } from '../state/state-schema.js';

/** A registered repository as the supervisor keeps it and persists it in supervisor-state.json. */
export type RepoRecord = StoredRepo;

/** A repo as `/api/repos` shows it. */
export interface RepoView {
  slug: string;
  path: string;
  status: string;
  pid: number | null;
  restarts: number;
  uptime_seconds: number;
  last_error: string | null;
  last_probe: { ok: boolean; latency_ms: number; at: string } | null;
  runtime_url: string;
  autostart: boolean;
  http_port: number | null;
  source: 'config' | 'api';
  added_at: string;
  runtime: { running: boolean; session_id: string | null; last_error: string | null } | null;
  log_file: string;
}

/** The fields of a record that say which worker process a repo has: written as it launches, adopts and loses one. */
export type WorkerRecordPatch = Partial<Pick<RepoRecord, 'pid' | 'pidStartTicks' | 'httpPort'>>;
