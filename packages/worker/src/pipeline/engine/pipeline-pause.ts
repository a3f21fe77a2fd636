import type { WorkerLogger } from '../../log/worker-logger.js';

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
    const timer = setTimeout(() => {
      this.end();
      this.resume();
    }, Math.max(0, at - Date.now()));
    timer.unref();
    this.current = { until: at, timer };
    const shown = new Date(at).toISOString();
    this.logger.warn({ until: shown, reason }, 'the pipeline is paused');
    this.tell(`pipeline paused until ${shown}: ${reason}`);
  }

  /** Ends the pause now, if there is one. */
  end(): void {
    if (this.current === undefined) return;
    clearTimeout(this.current.timer);
    this.current = undefined;
    this.tell(null);
  }
}
