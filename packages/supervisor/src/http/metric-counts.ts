import type { ProbeResult } from '../manager/health-probe.js';

/** Upper bounds (seconds) of the probe latency histogram's buckets. */
export const PROBE_LATENCY_BUCKETS: readonly number[] = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

/** One label set of a histogram: observations per bucket (not cumulative; the last one is +Inf), their sum and count. */
export interface HistogramCounts {
  readonly buckets: number[];
  sum: number;
  count: number;
}

/** A probe's outcome, the label of the probe metrics. */
export type ProbeOutcome = 'ok' | 'failed';

/**
 * What the supervisor counts for `/metrics`, as plain numbers: automatic
 * restarts per slug, requests to workers per method and outcome, and probe
 * latencies per outcome. It is kept from the start, so that prom-client (see
 * metrics.ts) needs to be loaded only when `/metrics` is first scraped and
 * still reports everything since the supervisor started.
 */
export class SupervisorCounts {
  /** Automatic restarts per slug. */
  readonly restarts = new Map<string, number>();
  /** Requests sent to workers over the control protocol, per method, then per outcome. */
  readonly protocolRequests = new Map<string, Map<ProbeOutcome, number>>();
  /** Probe latencies in seconds, per outcome. */
  readonly probeLatency = new Map<ProbeOutcome, HistogramCounts>();

  /** Records a probe: its latency, and its `health` request. */
  probed(result: ProbeResult): void {
    const outcome: ProbeOutcome = result.ok ? 'ok' : 'failed';
    const seconds = result.latencyMs / 1000;
    let histogram = this.probeLatency.get(outcome);
    if (histogram === undefined) {
      histogram = { buckets: new Array<number>(PROBE_LATENCY_BUCKETS.length + 1).fill(0), sum: 0, count: 0 };
      this.probeLatency.set(outcome, histogram);
    }
    const found = PROBE_LATENCY_BUCKETS.findIndex((bound) => seconds <= bound);
    const bucket = found === -1 ? PROBE_LATENCY_BUCKETS.length : found;
    histogram.buckets[bucket] = (histogram.buckets[bucket] ?? 0) + 1;
    histogram.sum += seconds;
    histogram.count += 1;
    let outcomes = this.protocolRequests.get('health');
    if (outcomes === undefined) {
      outcomes = new Map();
      this.protocolRequests.set('health', outcomes);
    }
    outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
  }

  /** Records an automatic restart of `slug`. */
  restarted(slug: string): void {
    this.restarts.set(slug, (this.restarts.get(slug) ?? 0) + 1);
  }
}
