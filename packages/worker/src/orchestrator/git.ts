import { execFile } from 'node:child_process';
import type { ExecFileException } from 'node:child_process';
import { statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { RepoSnapshot } from '../state/state-tracker.js';

/** Why a git call failed: the folder is gone, git is not on PATH, or git itself said no. */
export type GitFailure = 'repo-missing' | 'git-missing' | 'git-failed';

/** A failed git call; the message names the real cause and how to fix it. */
export class GitError extends Error {
  override readonly name = 'GitError';

  constructor(
    readonly failure: GitFailure,
    message: string,
    options: { cause: unknown },
  ) {
    super(message, options);
  }
}

/** Runs `git` in `cwd` and resolves with its stdout; rejects with a {@link GitError} that says why. */
export function git(cwd: string, args: string[], signal?: AbortSignal): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      'git',
      args,
      {
        cwd,
        signal,
        timeout: 30_000,
        maxBuffer: 16 * 1024 * 1024,
        // The ceiling keeps git from taking a parent folder's repository for this one when this one is broken.
        env: { ...process.env, GIT_OPTIONAL_LOCKS: '0', LC_ALL: 'C', GIT_CEILING_DIRECTORIES: dirname(cwd) },
      },
      (error, stdout, stderr) => {
        if (error) reject(gitError(cwd, args, error, stderr));
        else resolve(stdout);
      },
    );
  });
}

function gitError(cwd: string, args: string[], error: ExecFileException, stderr: string): GitError {
  // Node says `spawn git ENOENT` both when the folder is gone and when git is not on PATH; a folder
  // removed while git ran makes git fail on its own words. Either way the cause is the missing folder.
  if (error.name !== 'AbortError' && !isFolder(cwd)) {
    return new GitError('repo-missing', `repository folder missing: ${cwd} (moved or deleted?); put it back, or remove this repo`, { cause: error });
  }
  if (error.code === 'ENOENT' && error.syscall?.startsWith('spawn') === true) {
    return new GitError('git-missing', `git is not on PATH (PATH=${process.env.PATH ?? ''}); install git, or give the worker a PATH that has it`, { cause: error });
  }
  let detail = stderr.trim() || error.message;
  if (/not a git repository/.test(detail) && isFolder(join(cwd, '.git'))) {
    detail += ` (${join(cwd, '.git')} exists but git cannot read it as a repository: check its HEAD and objects)`;
  }
  return new GitError('git-failed', `git ${args.join(' ')} failed in ${cwd}: ${detail}`, { cause: error });
}

function isFolder(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
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
