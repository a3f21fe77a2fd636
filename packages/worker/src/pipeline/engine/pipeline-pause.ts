import type { WorkerLogger } from '../../log/worker-logger.js';

// The longest delay setTimeout keeps.
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * A pause of every run of a pipeline, until a time (an agent's credits come
 * back at their reset; a sign-in is tried again): the latest time asked for
 * wins. `tell` hears the reason while it lasts and null when it ends;
 * `resume` is called when it ends by itself.
 */
export class PipelinePause {
  private current: { until: number; timer: NodeJS.Timeout } | undefined;

  constructor(
    private readonly logger: Pick<WorkerLogger, 'warn'>,
    private readonly tell: (reason: string | null) => void,
    private readonly resume: () => void,
  ) {}

  /** True while runs wait. */
  get active(): boolean {
    return this.current !== undefined;
  }

  /** Makes every run wait until `until` (or a later time already asked for), because of `reason`. */
  until(until: Date, reason: string): void {
    const at = Math.max(until.getTime(), this.current?.until ?? 0);
    if (this.current !== undefined) clearTimeout(this.current.timer);
    this.current = { until: at, timer: this.arm(at) };
    const shown = new Date(at).toISOString();
    this.logger.warn({ until: shown, reason }, 'the pipeline is paused');
    this.tell(`pipeline paused until ${shown}: ${reason}`);
  }

  // A timer fires at once past 2^31 - 1 ms (24.8 days): a longer pause waits in steps.
  private arm(at: number): NodeJS.Timeout {
    const timer = setTimeout(() => {
      if (this.current?.until !== at) return;
      if (Date.now() < at) {
        this.current.timer = this.arm(at);
        return;
      }
      this.end();
      this.resume();
    }, Math.min(MAX_TIMER_MS, Math.max(0, at - Date.now())));
    timer.unref();
    return timer;
  }

  /** Ends the pause now, if there is one. */
  end(): void {
    if (this.current === undefined) return;
    clearTimeout(this.current.timer);
    this.current = undefined;
    this.tell(null);
  }
}
