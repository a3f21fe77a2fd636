/** One event of a runtime, as published on its bus and stored in its event log. */
export interface RuntimeEvent {
  /** Increasing sequence number within this data root (survives restarts). */
  seq: number;
  /** Dotted event type, e.g. `runtime.started`, `repo.changed`. */
  type: string;
  /** ISO 8601 time of publication. */
  at: string;
  /** The slug of the runtime that published it. */
  slug: string;
  /** The session id of the runtime's run it was published in; null while the runtime is stopped. */
  session: string | null;
  /** Type-specific payload. */
  data: Record<string, unknown>;
}
