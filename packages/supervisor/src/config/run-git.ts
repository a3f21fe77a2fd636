import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { limitConcurrency } from './limit-concurrency.js';

const GIT_TIMEOUT_MS = 10_000;
/** Most `git` processes the supervisor runs at once for its repository checks (each holds three pipes). */
export const GIT_CONCURRENCY = 8;
const MAX_OUTPUT_BYTES = 64 * 1024;

// Variables that would make `git -C <path>` look at another repository than <path>.
const GIT_LOCATION_VARIABLES = ['GIT_DIR', 'GIT_WORK_TREE', 'GIT_COMMON_DIR', 'GIT_INDEX_FILE', 'GIT_OBJECT_DIRECTORY', 'GIT_PREFIX'];

/** Why a git call gave no answer: git could not be run at all, or it ran and failed. */
export type GitFailure = 'git_missing' | 'no_file_descriptors' | 'timeout' | 'spawn_failed' | 'exit_non_zero';

/** The outcome of {@link runGit}. `exitCode` is git's own, when it ran. */
export type GitResult =
  | { ok: true; stdout: string }
  | { ok: false; reason: GitFailure; exitCode: number | null; stdout: string; message: string };

/** The message for a git that could not be found: what failed and how to fix it. */
export const GIT_MISSING_MESSAGE =
  "git was not found on PATH; install git, or add the folder that holds it to the supervisor's PATH (for a service, in its unit's Environment=PATH=…)";

const limit = limitConcurrency(GIT_CONCURRENCY);

/**
 * Runs `git -C <cwd> <args>` with a C locale, without the variables that
 * would point it at another repository, at most {@link GIT_CONCURRENCY} at
 * once. Never rejects: a git that is missing, out of file descriptors, slow
 * or failing is a value.
 */
export function runGit(cwd: string, args: string[]): Promise<GitResult> {
  return limit(() => spawnGit(cwd, args));
}

function spawnGit(cwd: string, args: string[]): Promise<GitResult> {
  const env: NodeJS.ProcessEnv = { ...process.env, LC_ALL: 'C' };
  for (const name of GIT_LOCATION_VARIABLES) delete env[name];
  const what = `git ${args.join(' ')}`;
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
    }, GIT_TIMEOUT_MS);
    timer.unref();
    const settle = (result: GitResult): void => {
      clearTimeout(timer);
      if (settled) return;
      settled = true;
      resolve(result);
    };
    // A failed spawn (no git, no file descriptors) comes as 'error', without pipes.
    child.once('error', (error) => settle(notStarted(error, what)));
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      if (stdout.length < MAX_OUTPUT_BYTES) stdout += chunk;
    });
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
      if (stderr.length < MAX_OUTPUT_BYTES) stderr += chunk;
    });
    child.once('close', (code, signal) => {
      const out = stdout.trim();
      if (code === 0) return settle({ ok: true, stdout: out });
      if (timedOut) {
        return settle({ ok: false, reason: 'timeout', exitCode: null, stdout: out, message: `${what} did not finish within ${GIT_TIMEOUT_MS / 1000} s` });
      }
      if (signal !== null) return settle({ ok: false, reason: 'spawn_failed', exitCode: null, stdout: out, message: `${what} was ended by ${signal}` });
      const first = stderr.split('\n')[0]?.replace(/^fatal:\s*/, '').trim();
      settle({ ok: false, reason: 'exit_non_zero', exitCode: code, stdout: out, message: first !== undefined && first !== '' ? first : `${what} exited with code ${code}` });
    });
  });
}

function notStarted(error: unknown, what: string): GitResult {
  const code = (error as NodeJS.ErrnoException).code;
  return { ok: false, reason: failureOf(code), exitCode: null, stdout: '', message: spawnMessage(code, what, error) };
}

function failureOf(code: string | undefined): GitFailure {
  if (code === 'ENOENT') return 'git_missing';
  if (code === 'EMFILE' || code === 'ENFILE') return 'no_file_descriptors';
  return 'spawn_failed';
}

function spawnMessage(code: string | undefined, what: string, error: unknown): string {
  if (code === 'ENOENT') return GIT_MISSING_MESSAGE;
  if (code === 'EMFILE' || code === 'ENFILE') {
    return `cannot start ${what}: too many open files (${code}); raise the supervisor's open-file limit (ulimit -n, or LimitNOFILE= for a service)`;
  }
  return `cannot start ${what}: ${(error as Error).message}`;
}
