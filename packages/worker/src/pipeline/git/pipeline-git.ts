import { runGit } from '@repovisor/kit';
import type { GitResult, Result } from '@repovisor/kit';
import { dirname } from 'node:path';

// Clones, fetches and pushes of a large repository take far longer than the
// kit's default 10 s; a diff for review is far larger than its 64 KiB.
const PIPELINE_GIT_TIMEOUT_MS = 10 * 60_000;
/** Most bytes of a git answer the pipeline keeps (a review diff is the largest). */
export const PIPELINE_GIT_MAX_OUTPUT_BYTES = 8 * 1024 * 1024;

/** A git step of the pipeline that failed: what was run, where, and what git said. */
export type GitStepFailure = { reason: 'git'; message: string; stderr: string; stdout: string; exitCode: number | null };

/** The outcome of {@link pipelineGit}: git's stdout, or a failure fit for an operator. */
export type GitStep = Result<{ stdout: string }, GitStepFailure>;

/** The identity the pipeline's own commits (the squash merges) and its workspaces fall back to. */
export const PIPELINE_IDENTITY = { name: 'Repovisor', email: 'repovisor@localhost.invalid' } as const;

/**
 * Runs `git -C <cwd> <args>` for the pipeline through the kit's runner: long
 * timeouts, large answers, no credential prompt (a push to a remote that asks
 * for a password fails instead of hanging), and a ceiling so that a broken
 * workspace is never mistaken for an enclosing repository.
 */
export async function pipelineGit(cwd: string, args: string[], options: { env?: Record<string, string>; signal?: AbortSignal } = {}): Promise<GitStep> {
  const result: GitResult = await runGit(cwd, args, {
    signal: options.signal,
    timeoutMs: PIPELINE_GIT_TIMEOUT_MS,
    maxOutputBytes: PIPELINE_GIT_MAX_OUTPUT_BYTES,
    env: { GIT_TERMINAL_PROMPT: '0', GIT_CEILING_DIRECTORIES: dirname(cwd), ...options.env },
  });
  if (result.ok) return result;
  const said = result.stderr.trim() || result.message;
  return {
    ok: false,
    reason: 'git',
    message: `git ${args.join(' ')} failed in ${cwd}: ${said}`,
    stderr: result.stderr,
    stdout: result.stdout,
    exitCode: result.exitCode,
  };
}
