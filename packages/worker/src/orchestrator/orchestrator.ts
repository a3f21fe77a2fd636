import { abortableSleep } from './abortable-sleep.js';
import type { Loop } from './loop.js';

/** Options of an {@link Orchestrator}. */
export interface OrchestratorOptions {
  loops: readonly Loop[];
  /** Called once when a loop throws; every loop is then stopped. */
  onLoopError: (loop: Loop, error: unknown) => void;
}

/**
 * Runs a runtime's loops: each ticks at once (or after its initial delay), then after its interval, until
 * {@link stop}. A loop that throws stops all of them and is reported, never
 * thrown: a failing loop must not take the process down.
 */
export class Orchestrator {
  private controller: AbortController | undefined;
  private runners: Promise<void>[] = [];

  constructor(private readonly options: OrchestratorOptions) {}

  /** True between {@link start} and {@link stop}. */
  get running(): boolean {
    return this.controller !== undefined && !this.controller.signal.aborted;
  }

  /** The loops' names. */
  get loopNames(): string[] {
    return this.options.loops.map((loop) => loop.name);
  }

  /** Starts every loop; a no-op when already running. */
  start(): void {
    if (this.running) return;
    const controller = new AbortController();
    this.controller = controller;
    this.runners = this.options.loops.map((loop) => this.run(loop, controller));
  }

  /** Stops every loop, aborting their ticks, and resolves when all have ended. */
  async stop(): Promise<void> {
    this.controller?.abort();
    await Promise.all(this.runners);
    this.runners = [];
  }

  private async run(loop: Loop, controller: AbortController): Promise<void> {
    const { signal } = controller;
    if (loop.initialDelayMs !== undefined && loop.initialDelayMs > 0) {
      if (!(await abortableSleep(loop.initialDelayMs, signal))) return;
    }
    while (!signal.aborted) {
      try {
        await loop.tick(signal);
      } catch (error) {
        if (signal.aborted) return;
        controller.abort();
        // Reported after this runner has settled, so the handler may await stop().
        setImmediate(() => this.options.onLoopError(loop, error));
        return;
      }
      if (!(await abortableSleep(loop.intervalMs, signal))) return;
    }
  }
}
