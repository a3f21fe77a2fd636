import { runGit } from '@repovisor/kit';
import type { GitResult } from '@repovisor/kit';
import { statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { RepoSnapshot } from '../state/state-tracker.js';

/** Why a git call failed: the folder is gone, git is not on PATH, or git itself said no. */
type GitFailure = 'repo-missing' | 'git-missing' | 'git-failed';

/** A failed git call; the message names the real cause and how to fix it. */
class GitError extends Error {
  override readonly name = 'GitError';

  constructor(
    readonly failure: GitFailure,
    message: string,
    options: { cause: unknown },
  ) {
    super(message, options);
  }
}

const GIT_TIMEOUT_MS = 30_000;
const MAX_OUTPUT_BYTES = 16 * 1024 * 1024;

/** Runs `git` in `cwd` and resolves with its stdout; rejects with a {@link GitError} that says why. */
export async function git(cwd: string, args: string[], signal?: AbortSignal): Promise<string> {
  const result = await runGit(cwd, args, {
    signal,
    timeoutMs: GIT_TIMEOUT_MS,
    maxOutputBytes: MAX_OUTPUT_BYTES,
    // The ceiling keeps git from taking a parent folder's repository for this one when this one is broken.
    env: { GIT_OPTIONAL_LOCKS: '0', GIT_CEILING_DIRECTORIES: dirname(cwd) },
  });
  if (result.ok) return result.stdout;
  throw gitError(cwd, args, result);
}

function gitError(cwd: string, args: string[], result: GitResult & { ok: false }): Error {
  if (result.reason === 'aborted') return new DOMException(`git ${args.join(' ')} was cancelled`, 'AbortError');
  // A folder removed while git ran makes git fail on its own words; either way the cause is the missing folder.
  if (!isFolder(cwd)) {
    return new GitError('repo-missing', `repository folder missing: ${cwd} (moved or deleted?); put it back, or remove this repo`, { cause: result });
  }
  if (result.reason === 'git_missing') {
    return new GitError('git-missing', `git is not on PATH (PATH=${process.env.PATH ?? ''}); install git, or give the worker a PATH that has it`, { cause: result });
  }
  let detail = result.stderr.trim() || result.message;
  if (/not a git repository/.test(detail) && isFolder(join(cwd, '.git'))) {
    detail += ` (${join(cwd, '.git')} exists but git cannot read it as a repository: check its HEAD and objects)`;
  }
  return new GitError('git-failed', `git ${args.join(' ')} failed in ${cwd}: ${detail}`, { cause: result });
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
