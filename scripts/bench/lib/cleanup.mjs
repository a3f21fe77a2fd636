// Every process the bench starts, ended by pid. Each one (and everything it
// starts: workers, PM2's daemon and apps, supervisord's programs) carries
// RVBENCH_RUN=<this run's id> in its environment, so on exit or SIGINT the
// bench finds whatever is left through /proc and kills it by pid, never by name.
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

const RUN_ID = randomUUID();
const TAG = `RVBENCH_RUN=${RUN_ID}`;
const tracked = new Map();
const hooks = new Set();

/** The environment for a process the bench starts: ours, minus REPOVISOR_*, plus the run tag. */
export function benchEnv(extra = {}) {
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('REPOVISOR_') && !key.startsWith('PM2_')));
  return { ...env, RVBENCH_RUN: RUN_ID, ...extra };
}

/** Spawns a process with the run tag and tracks it until it exits. */
export function spawnTracked(command, args, options = {}) {
  const child = spawn(command, args, { ...options, env: options.env ?? benchEnv() });
  if (child.pid !== undefined) {
    tracked.set(child.pid, { group: options.detached === true });
    child.once('exit', () => tracked.delete(child.pid));
  }
  child.exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  return child;
}

/** Registers an async step (e.g. `pm2 kill`) to run before the sweep on an interrupted run; returns its disposer. */
export function onInterrupt(hook) {
  hooks.add(hook);
  return () => hooks.delete(hook);
}

/** Pids of live (not zombie) processes carrying this run's tag, except the bench itself. */
export function taggedPids() {
  const pids = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      if (stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) === 'Z') continue;
      if (readFileSync(`/proc/${entry}/environ`, 'latin1').split('\0').includes(TAG)) pids.push(Number(entry));
    } catch {
      // Gone while we looked.
    }
  }
  return pids;
}

function kill(target) {
  try {
    process.kill(target, 'SIGCONT');
    process.kill(target, 'SIGKILL');
  } catch {
    // Already gone.
  }
}

/** Kills every tracked process (and its group where it leads one) and every tagged one, synchronously. */
export function sweepNow() {
  for (const [pid, { group }] of tracked) {
    if (group) kill(-pid);
    kill(pid);
  }
  for (const pid of taggedPids()) kill(pid);
}

/** Sweeps until nothing tagged is left (or 10 s pass); resolves with what was still found at the first look. */
export async function sweep() {
  const found = taggedPids();
  const deadline = Date.now() + 10_000;
  sweepNow();
  while (taggedPids().length > 0 && Date.now() < deadline) {
    sweepNow();
    await sleep(50);
  }
  return found;
}

/** On SIGINT/SIGTERM: runs the registered hooks (bounded), sweeps, exits 130; on any exit: a last synchronous sweep. */
export function installExitHandlers() {
  let interrupted = false;
  const interrupt = async (signal) => {
    if (interrupted) return;
    interrupted = true;
    process.stderr.write(`\nbench: ${signal}: ending every process it started…\n`);
    await Promise.race([Promise.allSettled([...hooks].map((hook) => hook())), sleep(8000, undefined, { ref: false })]);
    await sweep();
    process.exit(130);
  };
  process.on('SIGINT', () => void interrupt('SIGINT'));
  process.on('SIGTERM', () => void interrupt('SIGTERM'));
  process.on('exit', () => sweepNow());
}
