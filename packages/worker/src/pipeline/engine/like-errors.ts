import { SYSTEM_ALERT_AFTER as ALERT_AFTER } from '../../orchestrator/loop-retry-policy.js';

/**
 * Counts the errors of each pipeline lane in a row by their kind (say,
 * `workspace` or `push`: the messages differ by task), and tells when one kind
 * has come {@link ALERT_AFTER} times running: once, until the kind changes or
 * the lane works again.
 */
export class LikeErrors {
  private readonly runs = new Map<string, { kind: string; count: number }>();

  /** Records an error of `kind` in `lane`; `alert` is true exactly when it makes the alert's count. */
  failed(lane: string, kind: string): { count: number; alert: boolean } {
    const previous = this.runs.get(lane);
    const count = previous?.kind === kind ? previous.count + 1 : 1;
    this.runs.set(lane, { kind, count });
    return { count, alert: count === ALERT_AFTER };
  }

  /** `lane` worked: its count starts again. */
  succeeded(lane: string): void {
    this.runs.delete(lane);
  }
}
