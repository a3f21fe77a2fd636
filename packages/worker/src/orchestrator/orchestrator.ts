import { abortableSleep } from './abortable-sleep.js';
import type { Loop } from './loop.js';
import { LoopRetryPolicy } from './loop-retry-policy.js';
import type { LoopFailure } from './loop-retry-policy.js';

/** Options of an {@link Orchestrator}. */
export interface OrchestratorOptions {
  loops: readonly Loop[];
  /** Called after each failed tick, with the error and when the loop will try again. */
  onLoopFailure: (loop: Loop, error: unknown, failure: LoopFailure) => void;
  /** Called on the first good tick after failed ones, with how many failed in a row. */
  onLoopRecovered: (loop: Loop, failures: number) => void;
}

/**
 * Runs a runtime's loops: each ticks at once (or after its initial delay),
 * then after its interval, until {@link stop}. A loop whose tick throws is
 * restarted, as HydraFlow restarts a crashed loop: its next tick comes after a
 * backoff that grows with each failure in a row ({@link LoopRetryPolicy}),
 * and the other loops carry on. A failure is reported, never thrown: a
 * failing loop must not take the process down.
 */
export class Orchestrator {
  private controller: AbortController | undefined;
  private runners: Promise<void>[] = [];

  constructor(private readonly options: OrchestratorOptions) {}

  /** True between {@link start} and {@link stop}. */
  get running(): boolean {
    return this.controller !== undefined && !this.controller.signal.aborted;
  }

  /** Starts every loop; a no-op when already running. */
  start(): void {
    if (this.running) return;
    const controller = new AbortController();
    this.controller = controller;
    this.runners = this.options.loops.map((loop) => this.run(loop, controller.signal));
  }

  /** Stops every loop, aborting their ticks and retry waits, and resolves when all have ended. */
  async stop(): Promise<void> {
    this.controller?.abort();
    await Promise.all(this.runners);
    this.runners = [];
  }

  private async run(loop: Loop, signal: AbortSignal): Promise<void> {
    if (loop.initialDelayMs !== undefined && loop.initialDelayMs > 0) {
      if (!(await abortableSleep(loop.initialDelayMs, signal))) return;
    }
    const policy = new LoopRetryPolicy(loop.intervalMs);
    while (!signal.aborted) {
      let pause = loop.intervalMs;
      try {
        await loop.tick(signal);
        const failures = policy.succeeded();
        if (failures > 0 && !signal.aborted) this.report(() => this.options.onLoopRecovered(loop, failures));
      } catch (error) {
        if (signal.aborted) return;
        const failure = policy.failed(error);
        pause = failure.retryInMs;
        this.report(() => this.options.onLoopFailure(loop, error, failure));
      }
      if (!(await abortableSleep(pause, signal))) return;
    }
  }

  // A reporter that throws must not end the loop it reports on.
  private report(call: () => void): void {
    try {
      call();
    } catch {
      // The reporters log their own failures; there is nothing more to do here.
    }
  }
}
