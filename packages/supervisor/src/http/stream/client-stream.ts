import type { WebSocket } from 'ws';
import type { Logger } from 'pino';
import { sendBounded } from '@repovisor/kit';
import type { Disposable } from '@repovisor/kit';
import type { ManagedRepo } from '../../manager/managed-repo.js';
import type { RepoManager } from '../../manager/repo-manager.js';
import { repoStateData, repoStateFrame, replayDoneFrame, sameRepoState } from './stream-frames.js';
import type { StreamFrame } from './stream-frames.js';
import { WorkerUpstream } from './worker-upstream.js';

/** The repo name of a `/ws?repo=__all__` stream. */
export const ALL_REPOS = '__all__';

/** What one client asked for: one repo or all of them, and where each repo's replay starts (undefined: its recent history). */
export interface ClientScope {
  repo: ManagedRepo | typeof ALL_REPOS;
  since: (repo: ManagedRepo) => number | undefined;
}

/**
 * One client of the supervisor's `/ws`: a `repo_state` frame for each repo in
 * scope, each running worker's replay (one upstream per repo), `replay_done`,
 * then the live frames of every worker and a `repo_state` frame on every
 * lifecycle change. A repo whose worker restarts is dialled again from the
 * last id passed on. A client that leaves too much unread is dropped (1013).
 */
export class ClientStream {
  private readonly upstreams = new Map<ManagedRepo, WorkerUpstream>();
  private readonly states = new Map<ManagedRepo, ReturnType<typeof repoStateData>>();
  private readonly waiting = new Set<string>();
  private readonly changes: Disposable;
  private open = true;

  constructor(
    private readonly socket: WebSocket,
    private readonly manager: RepoManager,
    private readonly scope: ClientScope,
    private readonly logger: Logger,
  ) {
    this.changes = manager.onChanged((repo) => this.changed(repo));
    socket.on('close', () => this.close());
    socket.on('error', (error) => logger.debug({ err: error }, 'a /ws client failed'));
    const repos = this.inScope();
    for (const repo of repos) this.sendState(repo);
    for (const repo of repos) {
      if (repo.workerHttpPort !== null && repo.state === 'running') this.waiting.add(repo.slug);
      this.upstreamOf(repo).connect();
    }
    this.replayDoneIfReady();
  }

  private inScope(): ManagedRepo[] {
    return this.scope.repo === ALL_REPOS ? this.manager.all() : [this.scope.repo];
  }

  private covers(repo: ManagedRepo): boolean {
    return this.scope.repo === ALL_REPOS ? this.manager.get(repo.slug) === repo : this.scope.repo === repo;
  }

  private upstreamOf(repo: ManagedRepo): WorkerUpstream {
    let upstream = this.upstreams.get(repo);
    if (upstream === undefined) {
      upstream = new WorkerUpstream(repo, this.scope.since(repo), { frame: (frame) => this.send(frame), replayed: (slug) => this.replayed(slug) }, this.logger);
      this.upstreams.set(repo, upstream);
    }
    return upstream;
  }

  private changed(repo: ManagedRepo): void {
    if (!this.open) return;
    if (!this.covers(repo)) {
      this.upstreams.get(repo)?.close();
      this.upstreams.delete(repo);
      return;
    }
    this.sendState(repo);
    this.upstreamOf(repo).connect();
  }

  private sendState(repo: ManagedRepo): void {
    const data = repoStateData(repo);
    if (sameRepoState(this.states.get(repo), data)) return;
    this.states.set(repo, data);
    this.send(repoStateFrame(data));
  }

  private replayed(slug: string): void {
    if (this.waiting.delete(slug)) this.replayDoneIfReady();
  }

  private replayDoneIfReady(): void {
    if (this.waiting.size > 0 || !this.open) return;
    this.waiting.add('');
    const lastIds: Record<string, number> = {};
    for (const [repo, upstream] of this.upstreams) if (upstream.last !== undefined) lastIds[repo.slug] = upstream.last;
    this.send(replayDoneFrame(this.scope.repo === ALL_REPOS ? ALL_REPOS : this.scope.repo.slug, lastIds));
  }

  private send(frame: StreamFrame): void {
    if (this.open && !sendBounded(this.socket, JSON.stringify(frame))) this.close();
  }

  private close(): void {
    if (!this.open) return;
    this.open = false;
    this.changes.dispose();
    for (const upstream of this.upstreams.values()) upstream.close();
    this.upstreams.clear();
  }
}
