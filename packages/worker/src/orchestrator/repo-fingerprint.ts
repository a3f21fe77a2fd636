import { readFile, stat } from '@repovisor/kit/promised-fs';
import { join } from 'node:path';

/**
 * A cheap, in-process token of a repository's state: the size, mtime and
 * inode of `.git/HEAD`, `.git/index`, `.git/packed-refs`, the branch's ref
 * file and the work tree's top folder. A commit, checkout, reset, staging or
 * a file added or removed at the top level changes it; an edit deep in the
 * work tree does not (the watcher's periodic full look catches those).
 * Resolves null when it cannot tell (`.git` is a file, as in a linked
 * worktree, or anything is unreadable): the caller then looks in full.
 */
export async function readRepoFingerprint(repoPath: string): Promise<string | null> {
  const gitDir = join(repoPath, '.git');
  try {
    const head = await readFile(join(gitDir, 'HEAD'), 'utf8');
    const ref = /^ref: (refs\/[^\s]+)\s*$/.exec(head)?.[1];
    const paths = [join(gitDir, 'index'), join(gitDir, 'packed-refs'), repoPath, ...(ref === undefined ? [] : [join(gitDir, ref)])];
    const stamps = await Promise.all(paths.map((path) => stat(path).then(stampOf, () => '-')));
    return `${head.trim()}|${stamps.join('|')}`;
  } catch {
    return null;
  }
}

function stampOf(stats: { size: number; mtimeMs: number; ino: number }): string {
  return `${stats.ino}:${stats.size}:${stats.mtimeMs}`;
}
