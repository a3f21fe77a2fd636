/**
 * A managed repository's lifecycle state:
 * - `stopped`: no worker, and none wanted;
 * - `starting`: a worker was launched and has not said hello yet;
 * - `running`: the worker said hello and passes its probes;
 * - `unhealthy`: probes failed `failure_threshold` times (or no hello in time); it is being killed;
 * - `backoff`: the worker went down and will be restarted after a delay;
 * - `stopping`: an operator's stop is under way;
 * - `failed`: a crash loop; it stays down until an operator starts it again.
 */
export type RepoState = 'stopped' | 'starting' | 'running' | 'unhealthy' | 'backoff' | 'stopping' | 'failed';

/** Every state, in display order. */
export const REPO_STATES: readonly RepoState[] = ['stopped', 'starting', 'running', 'unhealthy', 'backoff', 'stopping', 'failed'];
