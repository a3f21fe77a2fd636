import { loadMetrics } from '../lazy-modules.js';
import type { ProbeResult } from '../manager/health-probe.js';
import type { RepoManager } from '../manager/repo-manager.js';
import type { SupervisorMetrics } from './metrics.js';
import type { ProtocolRequestCounts } from './request-counts.js';

/** The supervisor's metrics, loaded on first use. */
export type MetricsLoader = () => Promise<SupervisorMetrics>;

/** The supervisor's Prometheus metrics, made on the first scrape. */
export interface LazyMetrics {
  /** Makes the metrics on its first call; every later call shares them. A failed load is retried on the next call. */
  readonly load: MetricsLoader;
  /** Records a probe in the metrics once they are made; a probe before the first scrape is not observed. */
  probed(result: ProbeResult): void;
}

/** The supervisor's metrics, made (with prom-client) on the first `GET /metrics`, not at start-up. */
export function lazyMetrics(manager: () => RepoManager | undefined, requests: ProtocolRequestCounts): LazyMetrics {
  let loading: Promise<SupervisorMetrics> | undefined;
  let made: SupervisorMetrics | undefined;
  return {
    load: () => {
      loading ??= loadMetrics().then(
        ({ SupervisorMetrics: Metrics }) => (made = new Metrics(manager, requests)),
        (error: unknown) => {
          loading = undefined;
          throw error;
        },
      );
      return loading;
    },
    probed: (result) => made?.probed(result),
  };
}
