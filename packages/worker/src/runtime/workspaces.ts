import { chmod, mkdir, rename, stat } from '@repovisor/kit/promised-fs';
import { rm } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
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
 * Per-task workspaces of one runtime. Each is a local clone of the repository
 * (`git clone --local`: hardlinked objects, its own refs and index, nothing
 * written to the repository's .git) checked out detached at the repository's
 * HEAD (a plain folder while the repository has no commit), under the
 * runtime's own data root, so equal issue numbers in two repos never share a
 * path. The pipeline's task workspaces are made the same way
 * (docs/ARCHITECTURE.md, "Task workspaces").
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
    const head = await git(this.repoPath, ['rev-parse', '--verify', '--quiet', 'HEAD']).catch(() => undefined);
    if (head === undefined) {
      await mkdir(path, { mode: PRIVATE_FOLDER_MODE });
      return { issue, path, created: true };
    }
    // Cloned under a temporary name and renamed into place: a workspace at its own path is always whole.
    const temporary = join(this.dataRoot, 'workspaces', `.issue-${issue}.${process.pid}.tmp`);
    await remove(temporary);
    try {
      await git(this.repoPath, ['clone', '--quiet', '--local', '--no-checkout', this.repoPath, temporary]);
      await git(temporary, ['checkout', '--quiet', '--detach', head]);
      // git makes the clone's folder under the umask; the tree in it is the repository's own.
      await chmod(temporary, PRIVATE_FOLDER_MODE);
      await rename(temporary, path);
    } catch (error) {
      await remove(temporary);
      throw error;
    }
    return { issue, path, created: true };
  }
}

const remove = (path: string): Promise<void> => promisify(rm)(path, { recursive: true, force: true });

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}
