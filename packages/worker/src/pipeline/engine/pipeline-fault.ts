/** What failed in a {@link PipelineFault}: the pipeline's own steps, or an agent's service. */
export type PipelineFaultKind = 'workspace' | 'git' | 'push' | 'merge' | 'store' | 'source' | 'agent_auth' | 'agent_credits' | 'internal';

/**
 * A step of the pipeline itself failed (git, a push, a workspace, a write),
 * or the agent's service cannot work now (its sign-in failed, its credits
 * ran out): not the task's fault. The run is interrupted and no attempt is
 * counted. With `pauseUntil` every run waits until then (the runtime's
 * `last_error` says why); without it the task is retried after the next poll.
 * `kind` counts toward a `system_alert` when it comes again and again.
 */
export class PipelineFault extends Error {
  override readonly name = 'PipelineFault';
  /** When runs may start again; undefined: at the next poll. */
  readonly pauseUntil: Date | undefined;

  constructor(
    readonly kind: PipelineFaultKind,
    message: string,
    options: { pauseUntil?: Date } = {},
  ) {
    super(message);
    this.pauseUntil = options.pauseUntil;
  }
}
