import { errorMessage } from '../runtime/error-message.js';

/** A loop's first retry waits one interval; each failure in a row doubles the wait, up to this. */
export const LOOP_RETRY_MAX_MS = 60_000;

/** How many like failures in a row raise a `system_alert`, as in HydraFlow (5). */
export const SYSTEM_ALERT_AFTER = 5;

/** What a failed tick means: how many failed in a row, how many of those alike, and when to try again. */
export interface LoopFailure {
  /** The error's message, as the streak compares it. */
  message: string;
  /** Failed ticks in a row, this one included. */
  consecutive: number;
  /** Of those, how many in a row failed with this same message (1 when it differs from the last). */
  sameInARow: number;
  /** How long the loop waits before its next tick. */
  retryInMs: number;
}

/**
 * The restart decision for one loop, as a small pure object: after a failed
 * tick the loop waits its interval, doubled for each failure in a row, capped
 * at {@link LOOP_RETRY_MAX_MS} (or the interval, when that is longer); a tick
 * that succeeds ends the streak. It also counts like errors in a row, for
 * whoever wants to raise an alert on a repeated cause.
 */
export class LoopRetryPolicy {
  private consecutive = 0;
  private sameInARow = 0;
  private lastMessage: string | undefined;

  constructor(private readonly intervalMs: number) {}

  /** Records a failed tick and says when to try again. */
  failed(error: unknown): LoopFailure {
    const message = errorMessage(error);
    this.consecutive += 1;
    this.sameInARow = message === this.lastMessage ? this.sameInARow + 1 : 1;
    this.lastMessage = message;
    const cap = Math.max(this.intervalMs, LOOP_RETRY_MAX_MS);
    const retryInMs = Math.min(cap, this.intervalMs * 2 ** Math.min(this.consecutive - 1, 30));
    return { message, consecutive: this.consecutive, sameInARow: this.sameInARow, retryInMs };
  }

  /** Records a good tick; returns how many had failed in a row before it (0: there was no streak). */
  succeeded(): number {
    const failures = this.consecutive;
    this.consecutive = 0;
    this.sameInARow = 0;
    this.lastMessage = undefined;
    return failures;
  }
}
