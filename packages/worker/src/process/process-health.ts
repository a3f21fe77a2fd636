import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { IntervalHistogram } from 'node:perf_hooks';

/** Samples the process's event-loop delay and memory for `health` answers. */
export class ProcessHealth {
  private readonly histogram: IntervalHistogram;

  constructor() {
    // One sampling timer every 100 ms: fine enough to see a stalled loop, and an
    // idle worker wakes 10 times a second for it rather than 50.
    this.histogram = monitorEventLoopDelay({ resolution: 100 });
    this.histogram.enable();
  }

  /** Memory in bytes, event-loop delay (p99 since the last call, ms) and process uptime (s). */
  sample(): { memory: { rss: number; heapUsed: number }; eventLoopDelayMs: number; uptimeSeconds: number } {
    const { rss, heapUsed } = process.memoryUsage();
    const delay = this.histogram.count > 0 ? this.histogram.percentile(99) / 1e6 : 0;
    this.histogram.reset();
    return { memory: { rss, heapUsed }, eventLoopDelayMs: Math.round(delay * 1000) / 1000, uptimeSeconds: process.uptime() };
  }

  /** Stops sampling. */
  dispose(): void {
    this.histogram.disable();
  }
}
