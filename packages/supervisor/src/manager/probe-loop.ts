import type { Agent } from 'node:http';
import type { Logger } from 'pino';
import { newProbeAgent, probeWorker } from './health-probe.js';
import type { ProbeResult } from './health-probe.js';
import type { ManagedRepoSettings } from './managed-repo-options.js';
import type { WorkerLink } from './repo-lifecycle.js';

/** What a {@link ProbeLoop} probes and whom it tells. */
export interface ProbeLoopOptions {
  health: ManagedRepoSettings['health'];
  /** The worker's link, read at each probe: a reconnected worker has a new one. */
  link: () => WorkerLink;
  /** Told every probe's result, in order. */
  onResult: (result: ProbeResult) => void;
  /** Told once when `failureThreshold` probes in a row failed; the loop has stopped. */
  onFailing: (reason: string) => void;
  logger: Logger;
}

/**
 * The health probes of one running worker, one every `intervalMs`: it lives
 * as long as the repo's `running` state, which stops it on leaving. A probe
 * still under way when it stops is not told.
 */
export class ProbeLoop {
  private timer: NodeJS.Timeout | undefined;
  private failures = 0;
  // When (performance.now()) a probe that included GET /healthz last passed.
  private httpPassedAt = Number.NEGATIVE_INFINITY;
  private stopped = false;
  // Made on the first HTTP probe (node:http is not on the path to the first launch), destroyed on stop.
  private agent: Agent | undefined;

  constructor(private readonly options: ProbeLoopOptions) {}

  /** Schedules the next probe. */
  schedule(): void {
    if (this.stopped) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.probe(), this.options.health.intervalMs);
  }

  /** The worker connected again: its HTTP server is checked by the next probe. */
  reconnected(): void {
    this.httpPassedAt = Number.NEGATIVE_INFINITY;
  }

  /** Stops probing; safe to call twice. */
  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.agent?.destroy();
    this.agent = undefined;
  }

  private async probe(): Promise<void> {
    if (this.stopped) return;
    const { timeoutMs, failureThreshold, httpIntervalMs } = this.options.health;
    // The health request proves the event loop answers; the HTTP server is checked on a slower
    // clock, and on every probe while probes fail, so that each failure in a row is checked in full.
    const startedAt = performance.now();
    const { httpPort, connection } = this.options.link();
    const checkHttp = httpPort !== null && (this.failures > 0 || startedAt - this.httpPassedAt >= httpIntervalMs);
    const healthz = checkHttp ? { port: httpPort, agent: (this.agent ??= newProbeAgent()) } : null;
    const result = await probeWorker(connection, healthz, timeoutMs);
    if (this.stopped) return;
    if (result.ok && checkHttp) this.httpPassedAt = startedAt;
    this.options.onResult(result);
    if (result.ok) {
      this.failures = 0;
    } else {
      this.failures += 1;
      this.options.logger.warn({ reason: result.reason, failures: this.failures }, 'health probe failed');
      if (this.failures >= failureThreshold) {
        this.stop();
        this.options.onFailing(`${this.failures} consecutive probes failed (last: ${result.reason})`);
        return;
      }
    }
    this.schedule();
  }
}
