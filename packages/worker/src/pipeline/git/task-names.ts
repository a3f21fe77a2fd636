import { join } from 'node:path';

// The names the pipeline gives a task in git and on disk (the pipeline contract, "The
// per-repo pipeline"): one place, so that the workspace, the branch and the
// merge's trailer can never disagree.

/** Checks that `id` is a task id (a positive integer); a bug in the caller otherwise. */
function checkTaskId(id: number): number {
  if (!Number.isSafeInteger(id) || id < 1) throw new RangeError(`a task id must be a positive integer, got ${id}`);
  return id;
}

/** The branch of task `id`: `agent/issue-<id>`. */
export function taskBranch(id: number): string {
  return `agent/issue-${checkTaskId(id)}`;
}

/** The folder name of task `id`'s workspace: `issue-<id>`. */
export function workspaceName(id: number): string {
  return `issue-${checkTaskId(id)}`;
}

/** The workspaces folder of a data root: `<data_root>/workspaces`. */
export function workspacesFolder(dataRoot: string): string {
  return join(dataRoot, 'workspaces');
}

/** The trailer key that names the task a squash merge came from. */
const TASK_TRAILER = 'Repovisor-Task';

/** The trailer line of task `id`'s squash merge: `Repovisor-Task: <id>`. */
export function taskTrailer(id: number): string {
  return `${TASK_TRAILER}: ${checkTaskId(id)}`;
}
