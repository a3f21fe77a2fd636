import type { WorkerLogger } from '../../log/worker-logger.js';
import { errorMessage } from '../../runtime/error-message.js';
import { LikeErrors } from './like-errors.js';
import type { PipelineEvents } from './pipeline-events.js';
import { PipelineFault } from './pipeline-fault.js';

/**
 * Tells of the pipeline's own failures: each is logged and published as an
 * `error` event, and the fifth of one kind in a row in one lane (a stage, the
 * merges, the source) also as a `system_alert`, as HydraFlow does.
 */
export class FaultReports {
  private readonly errors = new LikeErrors();

  constructor(
    private readonly events: PipelineEvents,
    private readonly logger: Pick<WorkerLogger, 'error'>,
  ) {}

  /** `lane` failed on task `id` with `error`; resolves with the error's message. */
  failed(lane: string, id: number, error: unknown, what: string): string {
    const kind = error instanceof PipelineFault ? error.kind : 'internal';
    const message = errorMessage(error);
    this.logger.error({ err: error, lane, task: id, kind }, what);
    this.events.error(lane, message, id);
    const { count, alert } = this.errors.failed(lane, kind);
    if (alert) {
      this.logger.error({ lane, kind, count }, `the ${lane} lane failed ${count} times in a row the same way`);
      this.events.systemAlert(lane, `${lane}: ${count} ${kind} errors in a row, the last: ${message}`, count);
    }
    return message;
  }

  /** `lane` worked: its count starts again. */
  worked(lane: string): void {
    this.errors.succeeded(lane);
  }
}
