import { spawn } from 'node:child_process';
import type { ChildProcess, SpawnOptions } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';

/** A process started by a test, with its output collected. */
export interface TestChild {
  readonly child: ChildProcess;
  readonly pid: number;
  /** Everything written to stdout so far. */
  stdout(): string;
  /** Everything written to stderr so far. */
  stderr(): string;
  /** Resolves with the exit code (or signal) once the process has ended and its output has been read. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** True while a process with `pid` exists and is not a zombie (an orphan's zombie may wait for a reaper). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

/**
 * Starts processes for a test and ends every one of them, by pid, in
 * {@link ChildProcesses.killAll} (call it from afterEach), even when the test failed.
 */
export class ChildProcesses {
  private readonly children: TestChild[] = [];

  /** Spawns `command` with `args`, collecting its output. */
  start(command: string, args: string[], options: SpawnOptions = {}): TestChild {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], ...options });
    if (child.pid === undefined) throw new Error(`could not start ${command}`);
    let out = '';
    let err = '';
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
    // 'exit' can come before the last output has been read from the pipes; 'close' comes after it,
    // unless a process the child left running holds them (then the output is as complete as it gets).
    const closed = once(child, 'close').catch(() => undefined);
    const exited = once(child, 'exit').then(async ([code, signal]) => {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([closed, new Promise((resolve) => (timer = setTimeout(resolve, 1000)))]);
      clearTimeout(timer);
      return { code: code as number | null, signal: signal as NodeJS.Signals | null };
    });
    const started: TestChild = { child, pid: child.pid, stdout: () => out, stderr: () => err, exited };
    this.children.push(started);
    return started;
  }

  /** Kills every process started here that is still running, and waits for each to end. */
  async killAll(): Promise<void> {
    await Promise.all(
      this.children.splice(0).map(async (started) => {
        if (started.child.exitCode !== null || started.child.signalCode !== null) return;
        try {
          process.kill(started.pid, 'SIGCONT');
          process.kill(started.pid, 'SIGKILL');
        } catch {
          // Already gone.
        }
        await started.exited;
      }),
    );
  }
}

/** Pids of live (not zombie) processes with an environment variable (`NAME=value`) that `matches` (Linux /proc). */
export async function pidsWhereEnv(matches: (variable: string) => boolean): Promise<number[]> {
  const { readdir, readFile } = await import('node:fs/promises');
  const pids: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const environ = await readFile(`/proc/${entry}/environ`, 'utf8');
      if (environ.split('\0').some(matches) && isAlive(Number(entry))) pids.push(Number(entry));
    } catch {
      // The process ended while we looked.
    }
  }
  return pids;
}

/**
 * Pids of live processes whose environment has `name=value`,
 * e.g. every process of one worker's data root, children included.
 */
export function pidsWithEnv(name: string, value: string): Promise<number[]> {
  return pidsWhereEnv((variable) => variable === `${name}=${value}`);
}
