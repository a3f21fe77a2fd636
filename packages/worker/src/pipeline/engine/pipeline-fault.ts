/**
 * A step of the pipeline itself failed (git, a push, a workspace, a write),
 * not the agent: the task's run is interrupted and retried after the next
 * poll, and `kind` counts toward a `system_alert` when it comes again and again.
 */
export class PipelineFault extends Error {
  override readonly name = 'PipelineFault';

  constructor(
    /** What failed: `workspace`, `git`, `push`, `merge`, `store`, … */
    readonly kind: string,
    message: string,
  ) {
    super(message);
  }
}
