import { afterEach, describe, expect, it } from '@jest/globals';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isAlive, SupervisorRig } from './helpers/supervisor-rig.js';
import type { RunningTestSupervisor } from './helpers/supervisor-rig.js';
import { TempDirs } from './helpers/temp-dir.js';
import { waitFor } from './helpers/wait-for.js';

const temp = new TempDirs();
const rig = new SupervisorRig();

afterEach(async () => {
  // Ends, by pid, the workers the killed supervisors left behind.
  await rig.cleanup();
  await temp.cleanup();
});

interface LogLine {
  level: number;
  msg?: string;
  pid: number;
}

async function workerLines(supervisor: RunningTestSupervisor, workerPid: number): Promise<LogLine[]> {
  const text = await readFile(join(supervisor.home, 'logs', 'acme-alpha.log'), 'utf8');
  return text
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as LogLine)
    .filter((line) => line.pid === workerPid);
}

// A worker that loses its supervisor logs the lost connection (warn) and each
// failed redial (debug), which shows the level it was started with.
async function loseSupervisor(logLevel: string): Promise<{ supervisor: RunningTestSupervisor; workerPid: number }> {
  const supervisor = await rig.startOneRepo(await temp.make(), { logLevel, probes: 'steady' });
  const repo = await rig.waitForRepo(supervisor, 'acme/alpha', 'running', (entry) => entry.status === 'running');
  process.kill(supervisor.child.pid, 'SIGKILL');
  await supervisor.child.exited;
  return { supervisor, workerPid: repo.pid ?? 0 };
}

describe("a worker's log level", () => {
  it('follows supervisor start --log-level debug: the worker logs its failed redials at debug', async () => {
    const { supervisor, workerPid } = await loseSupervisor('debug');
    const redial = await waitFor('a debug line of the worker', async () =>
      (await workerLines(supervisor, workerPid)).find((line) => line.msg === 'could not reach the supervisor'),
    );
    expect(redial.level).toBe(20);
    const levels = new Set((await workerLines(supervisor, workerPid)).map((line) => line.level));
    expect(levels.has(30)).toBe(true);
  });

  it('follows supervisor start --log-level warn: the worker writes its warnings and no info or debug line', async () => {
    const { supervisor, workerPid } = await loseSupervisor('warn');
    // It redials for its grace period, then shuts down: each step would have logged below warn.
    await waitFor('the worker to give up on its supervisor and exit', () => !isAlive(workerPid));
    const lines = await workerLines(supervisor, workerPid);
    const messages = lines.map((line) => line.msg);
    expect(messages).toContain('control connection closed');
    expect(messages).toContain('no supervisor within the grace period; shutting down');
    expect(lines.filter((line) => line.level < 40)).toEqual([]);
  });
});
