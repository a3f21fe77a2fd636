import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { ProbeResult } from '../manager/health-probe.js';
import type { RepoManager } from '../manager/repo-manager.js';
import { REPO_STATES } from '../manager/repo-state.js';

/** The supervisor's Prometheus metrics, in their own registry. */
export class SupervisorMetrics {
  readonly registry = new Registry();
  private readonly restarts: Counter<'slug'>;
  private readonly probeLatency: Histogram<'outcome'>;
  private readonly protocolRequests: Counter<'method' | 'outcome'>;

  constructor(manager: () => RepoManager | undefined) {
    collectDefaultMetrics({ register: this.registry, prefix: 'repovisor_supervisor_' });
    new Gauge({
      name: 'repovisor_repos',
      help: 'Managed repositories by lifecycle state',
      labelNames: ['state'],
      registers: [this.registry],
      collect() {
        const counts = new Map<string, number>(REPO_STATES.map((state) => [state, 0]));
        for (const repo of manager()?.all() ?? []) counts.set(repo.state, (counts.get(repo.state) ?? 0) + 1);
        for (const [state, count] of counts) this.set({ state }, count);
      },
    });
    this.restarts = new Counter({ name: 'repovisor_worker_restarts_total', help: 'Automatic worker restarts', labelNames: ['slug'], registers: [this.registry] });
    this.probeLatency = new Histogram({
      name: 'repovisor_probe_latency_seconds',
      help: 'Latency of worker health probes (protocol health and, when checked, GET /healthz together)',
      labelNames: ['outcome'],
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [this.registry],
    });
    this.protocolRequests = new Counter({
      name: 'repovisor_protocol_requests_total',
      help: 'Requests the supervisor sent to workers over the control protocol',
      labelNames: ['method', 'outcome'],
      registers: [this.registry],
    });
  }

  /** Records a probe. */
  probed(result: ProbeResult): void {
    const outcome = result.ok ? 'ok' : 'failed';
    this.probeLatency.observe({ outcome }, result.latencyMs / 1000);
    this.protocolRequests.inc({ method: 'health', outcome });
  }

  /** Records an automatic restart. */
  restarted(slug: string): void {
    this.restarts.inc({ slug });
  }
}
