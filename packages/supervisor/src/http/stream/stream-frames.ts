import type { ManagedRepo } from '../../manager/managed-repo.js';

/** A `/ws` frame in HydraFlow's shape, tagged with its repo (`repo` and `data.repo`). */
export interface StreamFrame {
  id: number | null;
  type: string;
  timestamp: string;
  data: Record<string, unknown>;
  session_id: string | null;
  repo: string;
}

/** The fields a `repo_state` frame carries: a new one is sent when any of them changes. */
type RepoStateData = { repo: string; status: string; pid: number | null; restarts: number; last_error: string | null };

/** What a `repo_state` frame would say about `repo` now. */
export function repoStateData(repo: ManagedRepo): RepoStateData {
  const view = repo.view();
  return { repo: repo.slug, status: view.status, pid: view.pid, restarts: view.restarts, last_error: view.last_error };
}

/** True when two `repo_state` payloads say the same. */
export function sameRepoState(a: RepoStateData | undefined, b: RepoStateData): boolean {
  return a !== undefined && a.status === b.status && a.pid === b.pid && a.restarts === b.restarts && a.last_error === b.last_error;
}

/** The supervisor's own frame about a repo's lifecycle: not a worker event, so it has no id and is never replayed. */
export function repoStateFrame(data: RepoStateData): StreamFrame {
  return { id: null, type: 'repo_state', timestamp: new Date().toISOString(), data, session_id: null, repo: data.repo };
}

/** The frame that ends the replay of every repo in scope: what follows is live. */
export function replayDoneFrame(repo: string, lastIds: Record<string, number>): StreamFrame {
  return { id: null, type: 'replay_done', timestamp: new Date().toISOString(), data: { repo, last_ids: lastIds }, session_id: null, repo };
}

/** Parses a worker's frame; undefined when it is not one. */
export function parseWorkerFrame(text: string): StreamFrame | undefined {
  try {
    const value = JSON.parse(text) as Partial<StreamFrame> | null;
    if (value === null || typeof value !== 'object' || typeof value.type !== 'string' || typeof value.repo !== 'string') return undefined;
    if (value.id !== null && typeof value.id !== 'number') return undefined;
    return value as StreamFrame;
  } catch {
    return undefined;
  }
}
