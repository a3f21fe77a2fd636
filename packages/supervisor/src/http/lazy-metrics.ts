import type { RepoManager } from '../manager/repo-manager.js';
import type { SupervisorCounts } from './metric-counts.js';
import type { SupervisorMetrics } from './metrics.js';

/** The supervisor's metrics, loaded on first use. */
export type MetricsLoader = () => Promise<SupervisorMetrics>;

/**
 * Returns a loader of the Prometheus metrics: prom-client is imported on its
 * first call (the first `GET /metrics`), not at start-up, and every later call
 * shares that one load. A failed load is retried on the next call.
 */
export function lazyMetrics(manager: () => RepoManager | undefined, counts: SupervisorCounts): MetricsLoader {
  let loading: Promise<SupervisorMetrics> | undefined;
  return () => {
    loading ??= import('./metrics.js').then(
      ({ SupervisorMetrics: Metrics }) => new Metrics(manager, counts),
      (error: unknown) => {
        loading = undefined;
        throw error;
      },
    );
    return loading;
  };
}
