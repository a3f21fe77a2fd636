import type { Task } from '../tasks/task.js';
import type { TaskStore } from '../tasks/task-store.js';

/**
 * Where a repo's tasks come from and where their progress shows: the data
 * root alone (`source: local`: tasks are created through the API and CLI),
 * or GitHub issues with HydraFlow's stage labels and comments.
 */
export interface TaskSource {
  /** Whether tasks are created through the API (`POST /api/tasks`), or only in the source itself. */
  readonly createsTasks: boolean;
  /** Why `POST /api/tasks` is refused, when {@link createsTasks} is false: where to create a task instead. */
  readonly createElsewhere: string;
  /** The poll loop's round: brings new tasks (and the source's own changes to them) into `store`. */
  poll(store: TaskStore, signal: AbortSignal): Promise<void>;
  /**
   * Shows a task's move from `before` to `after` in the source (labels
   * swapped, a plan or a cause commented). A failure is a PipelineFault of kind
   * `source`; the next poll makes the source agree with the store again.
   */
  moved(before: Task, after: Task): Promise<void>;
}

/** The local source: the store is the source; nothing to poll, nothing to show elsewhere. */
export const LOCAL_SOURCE: TaskSource = {
  createsTasks: true,
  createElsewhere: '',
  poll: () => Promise.resolve(),
  moved: () => Promise.resolve(),
};
