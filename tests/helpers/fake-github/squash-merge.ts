import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

// What GitHub does for `merge_method: squash`, in the bare repository the test
// owns as its "GitHub remote": one new commit on the base branch whose tree is
// the merge of the head branch, with the base as its only parent.

const exec = promisify(execFile);

const IDENTITY = {
  GIT_AUTHOR_NAME: 'GitHub',
  GIT_AUTHOR_EMAIL: 'noreply@github.com',
  GIT_COMMITTER_NAME: 'GitHub',
  GIT_COMMITTER_EMAIL: 'noreply@github.com',
};

async function git(bare: string, args: string[]): Promise<{ code: number; stdout: string }> {
  try {
    const { stdout } = await exec('git', ['--git-dir', bare, ...args], { env: { ...process.env, ...IDENTITY } });
    return { code: 0, stdout: stdout.trim() };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string };
    return { code: typeof failed.code === 'number' ? failed.code : 128, stdout: (failed.stdout ?? '').trim() };
  }
}

/** The commit a branch of the bare repository points at, or null when it has none. */
export async function branchSha(bare: string, branch: string): Promise<string | null> {
  const found = await git(bare, ['rev-parse', '--verify', '--quiet', `refs/heads/${branch}^{commit}`]);
  return found.code === 0 ? found.stdout : null;
}

/** Squash-merges `head` into `base`; `conflict` when the two do not merge cleanly. */
export async function squashMerge(
  bare: string,
  base: string,
  head: string,
  message: string,
): Promise<{ ok: true; sha: string } | { ok: false; reason: 'conflict' | 'missing-branch' }> {
  const baseSha = await branchSha(bare, base);
  const headSha = await branchSha(bare, head);
  if (baseSha === null || headSha === null) return { ok: false, reason: 'missing-branch' };
  const merged = await git(bare, ['merge-tree', '--write-tree', baseSha, headSha]);
  if (merged.code !== 0) return { ok: false, reason: 'conflict' };
  const tree = merged.stdout.split('\n')[0] ?? '';
  const commit = await git(bare, ['commit-tree', tree, '-p', baseSha, '-m', message]);
  if (commit.code !== 0) return { ok: false, reason: 'conflict' };
  const moved = await git(bare, ['update-ref', `refs/heads/${base}`, commit.stdout, baseSha]);
  return moved.code === 0 ? { ok: true, sha: commit.stdout } : { ok: false, reason: 'conflict' };
}

/** Deletes a branch of the bare repository; false when it had none. */
export async function deleteBranch(bare: string, branch: string): Promise<boolean> {
  if ((await branchSha(bare, branch)) === null) return false;
  return (await git(bare, ['update-ref', '-d', `refs/heads/${branch}`])).code === 0;
}
