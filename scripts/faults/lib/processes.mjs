// Every process the fault suite starts, and what /proc says about processes.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';

/** True while `pid` exists and is not a zombie. */
export function isAlive(pid) {
  if (!Number.isSafeInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
  } catch (error) {
    return error.code === 'EPERM';
  }
  return processState(pid) !== 'Z';
}

/** The one-letter state of `pid` (`R`, `S`, `T`, `Z`…), or null when it is gone. */
export function processState(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.charAt(stat.lastIndexOf(')') + 2) || null;
  } catch {
    return null;
  }
}

/** Resident memory of `pid` in bytes (VmRSS), or null when it is gone. */
export function rssBytes(pid) {
  try {
    const match = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match === null ? null : Number(match[1]) * 1024;
  } catch {
    return null;
  }
}

/** Sends SIGCONT then SIGKILL to the process group of `pid` and to `pid` itself (workers lead their own group). */
export function killGroup(pid) {
  for (const target of [-pid, pid]) {
    for (const signal of ['SIGCONT', 'SIGKILL']) {
      try {
        process.kill(target, signal);
      } catch {
        // Gone already, or not a group leader.
      }
    }
  }
}

/** Pids of live processes whose REPOVISOR_DATA_ROOT lies under `folder` (workers and their git children). */
export async function pidsUnder(folder) {
  const exact = `REPOVISOR_DATA_ROOT=${folder.replace(/\/+$/, '')}`;
  const pids = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const environ = await readFile(`/proc/${entry}/environ`, 'utf8');
      if (environ.split('\0').some((variable) => variable === exact || variable.startsWith(`${exact}/`)) && isAlive(Number(entry))) pids.push(Number(entry));
    } catch {
      // Ended while we looked.
    }
  }
  return pids;
}

/** Pids of live `repo-worker` main processes (not their git children) under `folder`, sorted. */
export async function workerPidsUnder(folder) {
  const pids = [];
  for (const pid of await pidsUnder(folder)) {
    try {
      if ((await readFile(`/proc/${pid}/cmdline`, 'utf8')).includes('worker/dist/bundle/repo-worker.cjs')) pids.push(pid);
    } catch {
      // Ended while we looked.
    }
  }
  return pids.sort((a, b) => a - b);
}

/** The environment without REPOVISOR_* variables, as an operator's shell would have it. */
export function cleanEnv(extra = {}) {
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('REPOVISOR_')));
  return { ...env, ...extra };
}

/**
 * The processes this suite started (supervisors, hand-run workers, CLI runs).
 * {@link Processes.endAll} ends each one still running, by pid.
 */
export class Processes {
  #children = new Set();

  /** Spawns `command`, collecting its output; `exited` resolves with `{code, signal}`. */
  start(command, args, options = {}) {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], ...options });
    if (child.pid === undefined) throw new Error(`could not start ${command} ${args.join(' ')}`);
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (chunk) => (out += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk) => (err += chunk));
    const exited = once(child, 'exit').then(([code, signal]) => ({ code, signal }));
    const started = { child, pid: child.pid, stdout: () => out, stderr: () => err, exited, running: () => child.exitCode === null && child.signalCode === null };
    this.#children.add(started);
    void exited.then(() => this.#children.delete(started));
    return started;
  }

  /** SIGKILLs every process started here that still runs, and waits for each. */
  async endAll() {
    await Promise.all(
      [...this.#children].map(async (started) => {
        if (started.running()) killGroup(started.pid);
        await started.exited;
      }),
    );
  }
}
