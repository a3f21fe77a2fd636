import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import type { Metric } from 'prom-client';
import type { RepoManager } from '../manager/repo-manager.js';
import { REPO_STATES } from '../manager/repo-state.js';
import { PROBE_LATENCY_BUCKETS } from './metric-counts.js';
import type { HistogramCounts, SupervisorCounts } from './metric-counts.js';

/**
 * The supervisor's Prometheus metrics, in their own registry. This module (and
 * prom-client with it) is loaded on the first `GET /metrics`; the repovisor_*
 * metrics are read at every scrape from the {@link SupervisorCounts} the
 * supervisor keeps from its start. Node's default process metrics start when
 * this loads: their counters and histograms (GC, event-loop lag) cover the time
 * since the first scrape.
 */
export class SupervisorMetrics {
  readonly registry = new Registry();

  constructor(manager: () => RepoManager | undefined, counts: SupervisorCounts) {
    collectDefaultMetrics({ register: this.registry, prefix: 'repovisor_supervisor_' });
    new Gauge({
      name: 'repovisor_repos',
      help: 'Managed repositories by lifecycle state',
      labelNames: ['state'],
      registers: [this.registry],
      collect() {
        const states = new Map<string, number>(REPO_STATES.map((state) => [state, 0]));
        for (const repo of manager()?.all() ?? []) states.set(repo.state, (states.get(repo.state) ?? 0) + 1);
        for (const [state, count] of states) this.set({ state }, count);
      },
    });
    new Counter({
      name: 'repovisor_worker_restarts_total',
      help: 'Automatic worker restarts',
      labelNames: ['slug'],
      registers: [this.registry],
      collect() {
        this.reset();
        for (const [slug, count] of counts.restarts) this.inc({ slug }, count);
      },
    });
    this.registry.registerMetric(
      countedHistogram(
        'repovisor_probe_latency_seconds',
        'Latency of worker health probes (protocol health and, when checked, GET /healthz together)',
        'outcome',
        PROBE_LATENCY_BUCKETS,
        counts.probeLatency,
      ),
    );
    new Counter({
      name: 'repovisor_protocol_requests_total',
      help: 'Requests the supervisor sent to workers over the control protocol',
      labelNames: ['method', 'outcome'],
      registers: [this.registry],
      collect() {
        this.reset();
        for (const [method, outcomes] of counts.protocolRequests) for (const [outcome, count] of outcomes) this.inc({ method, outcome }, count);
      },
    });
  }
}

/**
 * A histogram whose buckets are counted elsewhere (a prom-client Histogram
 * cannot be given counts, only single observations), in the shape the
 * registry reads from its own histograms: cumulative `_bucket` lines with
 * `le`, then `_sum` and `_count`, per label value.
 */
function countedHistogram(name: string, help: string, labelName: string, bounds: readonly number[], source: ReadonlyMap<string, HistogramCounts>): Metric {
  const metric = {
    name,
    help,
    type: 'histogram',
    aggregator: 'sum',
    get: () => {
      const values: { labels: Record<string, string | number>; value: number; metricName: string }[] = [];
      for (const [label, counts] of source) {
        let cumulative = 0;
        bounds.forEach((bound, index) => {
          cumulative += counts.buckets[index] ?? 0;
          values.push({ labels: { le: bound, [labelName]: label }, value: cumulative, metricName: `${name}_bucket` });
        });
        values.push({ labels: { le: '+Inf', [labelName]: label }, value: counts.count, metricName: `${name}_bucket` });
        values.push({ labels: { [labelName]: label }, value: counts.sum, metricName: `${name}_sum` });
        values.push({ labels: { [labelName]: label }, value: counts.count, metricName: `${name}_count` });
      }
      return Promise.resolve({ name, help, type: 'histogram', values, aggregator: 'sum' });
    },
    reset: () => undefined,
  };
  // The registry reads a metric through name, help, type and get() only.
  return metric as unknown as Metric;
}
