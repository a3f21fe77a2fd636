import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { ProbeResult } from '../manager/health-probe.js';
import type { RepoManager } from '../manager/repo-manager.js';
import { REPO_STATES } from '../manager/repo-state.js';
import type { ProtocolRequestCounts } from './request-counts.js';

/**
 * The supervisor's Prometheus metrics, in their own registry, made on the
 * first `GET /metrics` (lazy-metrics.ts). Repos, restarts and protocol
 * requests are read at every scrape from what the supervisor has kept since
 * its start; probe latencies, and node's process metrics, are observed from
 * the first scrape on.
 */
export class SupervisorMetrics {
  readonly registry = new Registry();
  private readonly probeLatency: Histogram<'outcome'>;

  constructor(manager: () => RepoManager | undefined, requests: ProtocolRequestCounts) {
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
      help: 'Automatic worker restarts since the supervisor started',
      labelNames: ['slug'],
      registers: [this.registry],
      collect() {
        this.reset();
        for (const repo of manager()?.all() ?? []) this.inc({ slug: repo.slug }, repo.view().restarts);
      },
    });
    this.probeLatency = new Histogram({
      name: 'repovisor_probe_latency_seconds',
      help: 'Latency of worker health probes (protocol health and, when checked, GET /healthz together), since the first scrape',
      labelNames: ['outcome'],
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [this.registry],
    });
    new Counter({
      name: 'repovisor_protocol_requests_total',
      help: 'Control-protocol requests since the supervisor started, both ways: sent to workers (health, shutdown…) and from them (hello)',
      labelNames: ['method', 'outcome'],
      registers: [this.registry],
      collect() {
        this.reset();
        for (const { method, outcome, count } of requests.all()) this.inc({ method, outcome }, count);
      },
    });
  }

  /** Records the latency of one probe. */
  probed(result: ProbeResult): void {
    this.probeLatency.observe({ outcome: result.ok ? 'ok' : 'failed' }, result.latencyMs / 1000);
  }
}
