/**
 * How often the event loop's delay is sampled. Each sample wakes an idle
 * worker, so a shorter period costs a hundred idle workers a visible share of
 * a core (docs/BENCHMARKS.md, "How cost grows"). A stall longer than
 * the period is always seen; a shorter one may be seen in part or not at all:
 * hangs are for the probes' timeouts to catch, this figure is for operators.
 */
export const SAMPLE_EVERY_MS = 500;

// process.hrtime, not the global `performance`, whose first use loads perf_hooks' modules.
const nowMs = (): number => Number(process.hrtime.bigint()) / 1e6;

/**
 * Samples the process's event-loop delay and memory for `health` answers.
 *
 * The delay is how late a timer due every {@link SAMPLE_EVERY_MS} fires: a
 * loop stalled for 2 s makes it fire 1.5–2 s late. It is measured with a plain
 * timer rather than `perf_hooks.monitorEventLoopDelay`, whose histogram
 * reports the same lateness, because loading perf_hooks adds eight internal
 * modules to every worker's start (docs/BENCHMARKS.md).
 */
export class ProcessHealth {
  private readonly timer: NodeJS.Timeout;
  private due = nowMs() + SAMPLE_EVERY_MS;
  private worstMs = 0;

  constructor() {
    this.timer = setInterval(() => {
      const now = nowMs();
      this.worstMs = Math.max(this.worstMs, now - this.due);
      this.due = now + SAMPLE_EVERY_MS;
    }, SAMPLE_EVERY_MS);
    // Sampling never keeps the worker alive.
    this.timer.unref();
  }

  /** Memory in bytes, event-loop delay (the longest since the last call, ms) and process uptime (s). */
  sample(): { memory: { rss: number; heapUsed: number }; eventLoopDelayMs: number; uptimeSeconds: number } {
    const { rss, heapUsed } = process.memoryUsage();
    // A stall still in progress counts too: the timer that would report it has not fired yet.
    const delay = Math.max(this.worstMs, nowMs() - this.due, 0);
    this.worstMs = 0;
    return { memory: { rss, heapUsed }, eventLoopDelayMs: Math.round(delay * 1000) / 1000, uptimeSeconds: process.uptime() };
  }

  /** Stops sampling. */
  dispose(): void {
    clearInterval(this.timer);
  }
}
