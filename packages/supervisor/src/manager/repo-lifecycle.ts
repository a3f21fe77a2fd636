import type { Connection } from '@repovisor/protocol';
import type { WorkerExit } from '../launch/launch-worker.js';
import type { ProbeLoop } from './probe-loop.js';
import type { RepoState } from './repo-state.js';

/** A worker process a managed repo launched, or adopted from an earlier supervisor. */
export interface WorkerProcess {
  pid: number;
  exited: Promise<WorkerExit>;
  launchedAt: number;
  /** Counts the repo's launches and adoptions: a late event of an earlier worker is told apart by it. */
  generation: number;
  adopted: boolean;
}

/** The worker's runtime as it last told: by hello, `runtime.state` and every passed probe. */
interface RuntimeStatus {
  running: boolean;
  sessionId: string | null;
  lastError: string | null;
}

/** What a worker that said hello gave: its control connection (until it closes), HTTP port and runtime. */
export interface WorkerLink {
  connection: Connection | undefined;
  httpPort: number | null;
  runtime: RuntimeStatus;
}

/**
 * A managed repo's lifecycle (see {@link RepoState}), each state with the
 * fields valid in it. `since` is when the worker said hello (null when it
 * never did); a stopping worker is `null` once it has exited.
 */
export type Lifecycle =
  | { state: 'stopped' }
  | { state: 'failed' }
  | { state: 'backoff'; timer: NodeJS.Timeout }
  | { state: 'starting'; worker: WorkerProcess; timer: NodeJS.Timeout }
  | { state: 'running'; worker: WorkerProcess; link: WorkerLink; since: number; probe: ProbeLoop }
  | { state: 'unhealthy'; worker: WorkerProcess; link: WorkerLink | null; since: number | null }
  | { state: 'stopping'; worker: WorkerProcess | null; link: WorkerLink | null; since: number | null; done: Promise<void> };

/** The lifecycle in one of its states. */
export type LifecycleIn<S extends RepoState> = Extract<Lifecycle, { state: S }>;

/**
 * Leaves `from` for a state `to`: throws when the lifecycle has no such
 * transition (a bug), and cancels the timers and probes of the state left.
 */
export function transition(from: Lifecycle, to: RepoState): void {
  switch (from.state) {
    case 'stopped':
      return allow(from.state, to, ['starting', 'backoff', 'failed']);
    case 'failed':
      return allow(from.state, to, ['starting', 'backoff', 'failed', 'stopped']);
    case 'backoff':
      clearTimeout(from.timer);
      return allow(from.state, to, ['starting', 'backoff', 'failed', 'stopped']);
    case 'starting':
      clearTimeout(from.timer);
      return allow(from.state, to, ['running', 'unhealthy', 'stopping', 'backoff', 'failed']);
    case 'running':
      from.probe.stop();
      return allow(from.state, to, ['unhealthy', 'stopping', 'backoff', 'failed']);
    case 'unhealthy':
      return allow(from.state, to, ['stopping', 'backoff', 'failed']);
    case 'stopping':
      return allow(from.state, to, ['stopped']);
    default:
      return unknownState(from);
  }
}

/** The worker process of `lifecycle`, if any. */
export function workerOf(lifecycle: Lifecycle): WorkerProcess | undefined {
  switch (lifecycle.state) {
    case 'starting':
    case 'running':
    case 'unhealthy':
      return lifecycle.worker;
    case 'stopping':
      return lifecycle.worker ?? undefined;
    case 'stopped':
    case 'failed':
    case 'backoff':
      return undefined;
    default:
      return unknownState(lifecycle);
  }
}

/** What the worker of `lifecycle` said in its hello, and when (Date.now()); nulls when it said none or is gone. */
function helloOf(lifecycle: Lifecycle): { link: WorkerLink | null; since: number | null } {
  switch (lifecycle.state) {
    case 'running':
    case 'unhealthy':
    case 'stopping':
      return { link: lifecycle.link, since: lifecycle.since };
    case 'stopped':
    case 'failed':
    case 'backoff':
    case 'starting':
      return { link: null, since: null };
    default:
      return unknownState(lifecycle);
  }
}

/** What the worker of `lifecycle` said in its hello, if it said one. */
export function linkOf(lifecycle: Lifecycle): WorkerLink | null {
  return helloOf(lifecycle).link;
}

/** When (Date.now()) the worker of `lifecycle` said hello, if it is still there. */
export function runningSinceOf(lifecycle: Lifecycle): number | null {
  return helloOf(lifecycle).since;
}

function allow(from: RepoState, to: RepoState, targets: readonly RepoState[]): void {
  if (!targets.includes(to)) throw new Error(`A managed repo cannot go from ${from} to ${to}: a bug in its lifecycle`);
}

function unknownState(lifecycle: never): never {
  throw new Error(`Unknown lifecycle state: ${JSON.stringify(lifecycle)}`);
}
