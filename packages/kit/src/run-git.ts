import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { limitConcurrency } from './limit-concurrency.js';
import type { Result } from './result.js';

/** Most `git` processes one program runs at once (each holds three pipes). */
export const GIT_CONCURRENCY = 8;
const DEFAULT_TIMEOUT_MS = 10_000;
const DEFAULT_MAX_OUTPUT_BYTES = 64 * 1024;

/**
 * Variables that would make `git -C <path>` look at another repository than
 * <path>: a supervisor started inside a git hook, or with GIT_DIR exported,
 * must not pass them on to the git it runs for its repositories.
 */
export const GIT_LOCATION_VARIABLES = [
  'GIT_DIR',
  'GIT_WORK_TREE',
  'GIT_COMMON_DIR',
  'GIT_INDEX_FILE',
  'GIT_OBJECT_DIRECTORY',
  'GIT_ALTERNATE_OBJECT_DIRECTORIES',
  'GIT_NAMESPACE',
  'GIT_PREFIX',
];

/** Why a git call gave no answer: git could not be run at all, or it ran and failed. */
export type GitFailure = 'git_missing' | 'no_file_descriptors' | 'timeout' | 'aborted' | 'spawn_failed' | 'exit_non_zero';

/**
 * The outcome of {@link runGit}: git's stdout without its last newline, or
 * why there is none. `exitCode` is git's own, when it ran; `stderr` is what it
 * said (capped like stdout); `message` is one line fit for an operator.
 */
export type GitResult = Result<{ stdout: string }, { reason: GitFailure; exitCode: number | null; stdout: string; stderr: string; message: string }>;

/** Options of {@link runGit}. */
export interface RunGitOptions {
  /** Variables added to git's environment (after the location variables are removed). */
  env?: Record<string, string>;
  /** Ends git (SIGKILL) when aborted; the result is then `aborted`. */
  signal?: AbortSignal;
  /** How long git may run before it is killed (default 10 s). */
  timeoutMs?: number;
  /** Most bytes of stdout and of stderr kept (default 64 KiB); the rest is read and dropped. */
  maxOutputBytes?: number;
}

/** The message for a git that could not be found: what failed and how to fix it. */
export const GIT_MISSING_MESSAGE =
  'git was not found on PATH; install git, or add the folder that holds it to PATH (for a service, in its unit\'s Environment=PATH=…)';

const limit = limitConcurrency(GIT_CONCURRENCY);

/**
 * Runs `git -C <cwd> <args>` with a C locale, without the variables that
 * would point it at another repository ({@link GIT_LOCATION_VARIABLES}), at
 * most {@link GIT_CONCURRENCY} at once in this process. Never rejects: a git
 * that is missing, out of file descriptors, slow, aborted or failing is a value.
 */
export function runGit(cwd: string, args: string[], options: RunGitOptions = {}): Promise<GitResult> {
  return limit(() => spawnGit(cwd, args, options));
}

function spawnGit(cwd: string, args: string[], options: RunGitOptions): Promise<GitResult> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const maxOutputBytes = options.maxOutputBytes ?? DEFAULT_MAX_OUTPUT_BYTES;
  const env: NodeJS.ProcessEnv = { ...process.env, ...options.env, LC_ALL: 'C' };
  for (const name of GIT_LOCATION_VARIABLES) delete env[name];
  const what = `git ${args.join(' ')}`;
  // Aborted before it starts (or while it waited for its turn): git is not run at all.
  if (options.signal?.aborted === true) {
    return Promise.resolve({ ok: false, reason: 'aborted', exitCode: null, stdout: '', stderr: '', message: `${what} was cancelled before it started` });
  }
  let child: ChildProcess;
  try {
    child = spawn('git', ['-C', cwd, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'], windowsHide: true });
  } catch (error) {
    return Promise.resolve(notStarted(error, what));
  }
  return new Promise((resolve) => {
    let stdout = '';
    let stderr = '';
    let settled = false;
    let timedOut = false;
    // A timer of our own: spawn's `timeout` option keeps its timer running after a failed spawn, holding the process up.
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    timer.unref();
    let aborted = false;
    const onAbort = (): void => {
      aborted = true;
      child.kill('SIGKILL');
    };
    options.signal?.addEventListener('abort', onAbort, { once: true });
    const settle = (result: GitResult): void => {
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      if (settled) return;
      settled = true;
      resolve(result);
    };
    // A failed spawn (no git, no file descriptors) comes as 'error', without pipes.
    child.once('error', (error) => settle(notStarted(error, what)));
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      if (stdout.length < maxOutputBytes) stdout += chunk;
    });
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
      if (stderr.length < maxOutputBytes) stderr += chunk;
    });
    child.once('close', (code, signal) => {
      const out = stdout.replace(/\n$/, '');
      if (code === 0) return settle({ ok: true, stdout: out });
      const failed = { exitCode: null, stdout: out, stderr };
      if (timedOut) return settle({ ok: false, reason: 'timeout', ...failed, message: `${what} did not finish within ${timeoutMs / 1000} s` });
      if (aborted) return settle({ ok: false, reason: 'aborted', ...failed, message: `${what} was cancelled` });
      if (signal !== null) return settle({ ok: false, reason: 'spawn_failed', ...failed, message: `${what} was ended by ${signal}` });
      const first = stderr.split('\n')[0]?.replace(/^fatal:\s*/, '').trim();
      settle({ ok: false, reason: 'exit_non_zero', ...failed, exitCode: code, message: first !== undefined && first !== '' ? first : `${what} exited with code ${code}` });
    });
  });
}

function notStarted(error: unknown, what: string): GitResult {
  const code = (error as NodeJS.ErrnoException).code;
  return { ok: false, reason: failureOf(code), exitCode: null, stdout: '', stderr: '', message: spawnMessage(code, what, error) };
}

function failureOf(code: string | undefined): GitFailure {
  if (code === 'ENOENT') return 'git_missing';
  if (code === 'EMFILE' || code === 'ENFILE') return 'no_file_descriptors';
  return 'spawn_failed';
}

function spawnMessage(code: string | undefined, what: string, error: unknown): string {
  if (code === 'ENOENT') return GIT_MISSING_MESSAGE;
  if (code === 'EMFILE' || code === 'ENFILE') {
    return `cannot start ${what}: too many open files (${code}); raise the open-file limit (ulimit -n, or LimitNOFILE= for a service)`;
  }
  return `cannot start ${what}: ${(error as Error).message}`;
}
