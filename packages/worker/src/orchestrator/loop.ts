/** One periodic job of an orchestrator. */
export interface Loop {
  /** Name used in logs and errors. */
  readonly name: string;
  /** Pause between the end of one tick and the start of the next. */
  readonly intervalMs: number;
  /** Pause before the first tick; none when absent. */
  readonly initialDelayMs?: number;
  /** One round of work; should honour `signal` so that stop is prompt. */
  tick(signal: AbortSignal): Promise<void>;
}
