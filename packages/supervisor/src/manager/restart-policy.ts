/** Settings of a {@link RestartPolicy}. */
export interface RestartSettings {
  initialDelayMs: number;
  maxDelayMs: number;
  /** More restarts than this within `windowMs` is a crash loop. */
  maxRestarts: number;
  windowMs: number;
  /** A run at least this long resets the backoff. */
  stableAfterMs: number;
}

/** What to do after a worker went down unexpectedly. */
export type RestartDecision = { action: 'restart'; delayMs: number; attempt: number } | { action: 'fail'; reason: string };

/**
 * Exponential backoff with a crash-loop breaker. Each unexpected exit asks for
 * a decision: restart after `initialDelay * 2^n` (capped), where n counts the
 * consecutive short runs, or fail when the window already holds `maxRestarts`
 * restarts. A run that lasted `stableAfterMs` resets n.
 */
export class RestartPolicy {
  private restartTimes: number[] = [];
  private consecutive = 0;

  constructor(private readonly settings: RestartSettings) {}

  /** Decides after a worker that ran for `ranForMs` went down at `now`. */
  decide(now: number, ranForMs: number): RestartDecision {
    if (ranForMs >= this.settings.stableAfterMs) this.consecutive = 0;
    this.restartTimes = this.restartTimes.filter((time) => now - time < this.settings.windowMs);
    if (this.restartTimes.length >= this.settings.maxRestarts) {
      return {
        action: 'fail',
        reason: `crash loop: ${this.restartTimes.length} restarts within ${this.settings.windowMs} ms (max_restarts ${this.settings.maxRestarts})`,
      };
    }
    const delayMs = Math.min(this.settings.maxDelayMs, this.settings.initialDelayMs * 2 ** this.consecutive);
    this.consecutive += 1;
    this.restartTimes.push(now);
    return { action: 'restart', delayMs, attempt: this.consecutive };
  }

  /** Forgets the history: an operator's start gives the repo a fresh budget. */
  reset(): void {
    this.restartTimes = [];
    this.consecutive = 0;
  }
}
