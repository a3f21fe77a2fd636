import { execFile } from 'node:child_process';
import type { RepoSnapshot } from '../state/state-tracker.js';

/** Runs `git` in `cwd` and resolves with its stdout; rejects with git's stderr in the message. */
export function git(cwd: string, args: string[], signal?: AbortSignal): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      'git',
      args,
      { cwd, signal, timeout: 30_000, maxBuffer: 16 * 1024 * 1024, env: { ...process.env, GIT_OPTIONAL_LOCKS: '0', LC_ALL: 'C' } },
      (error, stdout, stderr) => {
        if (error) {
          const detail = stderr.trim() || error.message;
          reject(new Error(`git ${args.join(' ')} failed in ${cwd}: ${detail}`, { cause: error }));
        } else {
          resolve(stdout);
        }
      },
    );
  });
}

/**
 * Reads the repository's HEAD commit, branch and number of changed files.
 * A repository without commits has a null head.
 */
export async function readRepoSnapshot(repoPath: string, signal?: AbortSignal): Promise<RepoSnapshot> {
  // One call: porcelain v2 reports the head and branch in its header lines.
  const output = await git(repoPath, ['status', '--porcelain=v2', '--branch', '--untracked-files=normal'], signal);
  let head: string | null = null;
  let branch: string | null = null;
  let changedFiles = 0;
  for (const line of output.split('\n')) {
    if (line.startsWith('# branch.oid ')) {
      const oid = line.slice('# branch.oid '.length).trim();
      head = oid === '(initial)' ? null : oid;
    } else if (line.startsWith('# branch.head ')) {
      const name = line.slice('# branch.head '.length).trim();
      branch = name === '(detached)' ? null : name;
    } else if (line !== '' && !line.startsWith('#')) {
      changedFiles += 1;
    }
  }
  return { head, branch, changedFiles };
}
