import { chmod, mkdir, stat } from '@repovisor/kit/promised-fs';
import { join } from 'node:path';
import { git } from '../orchestrator/git.js';
import { PRIVATE_FOLDER_MODE } from './private-files.js';

/** The workspace folder of issue `issue` under a data root: `<data_root>/workspaces/issue-<n>`. */
function workspacePath(dataRoot: string, issue: number): string {
  if (!Number.isSafeInteger(issue) || issue < 1) throw new RangeError(`issue must be a positive integer, got ${issue}`);
  return join(dataRoot, 'workspaces', `issue-${issue}`);
}

/** What {@link Workspaces.ensure} did. */
export interface WorkspaceInfo {
  issue: number;
  path: string;
  /** False when the workspace already existed. */
  created: boolean;
}

/**
 * Per-task workspaces of one runtime. Each is a detached git worktree of the
 * repository at its HEAD (a plain folder while the repository has no commit),
 * under the runtime's own data root, so equal issue numbers in two repos never
 * share a path.
 */
export class Workspaces {
  constructor(
    private readonly repoPath: string,
    private readonly dataRoot: string,
  ) {}

  /** Creates the workspace of `issue` unless it exists, and tells where it is. */
  async ensure(issue: number): Promise<WorkspaceInfo> {
    const path = workspacePath(this.dataRoot, issue);
    if (await exists(path)) return { issue, path, created: false };
    await mkdir(join(this.dataRoot, 'workspaces'), { recursive: true, mode: PRIVATE_FOLDER_MODE });
    const hasCommit = await git(this.repoPath, ['rev-parse', '--verify', '--quiet', 'HEAD']).then(
      () => true,
      () => false,
    );
    if (hasCommit) await git(this.repoPath, ['worktree', 'add', '--detach', path, 'HEAD']);
    else await mkdir(path, { mode: PRIVATE_FOLDER_MODE });
    // git makes the worktree's folder under the umask; the tree in it is the repository's own.
    await chmod(path, PRIVATE_FOLDER_MODE);
    return { issue, path, created: true };
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}
