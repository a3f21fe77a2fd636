import { afterEach, describe, expect, it } from '@jest/globals';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { readPidStartTicks } from '@repovisor/kit';
import { endLeftoverAgents } from '../packages/worker/src/pipeline/agents/agent-registry.js';
import { AgentProcesses, fixtureAgent } from './helpers/agent-runs.js';
import { ChildProcesses, isAlive } from './helpers/child-processes.js';
import { REPO_ROOT } from './helpers/paths.js';
import { TempDirs } from './helpers/temp-dir.js';
import { waitFor } from './helpers/wait-for.js';

const temp = new TempDirs();
const children = new ChildProcesses();
const agents = new AgentProcesses();
afterEach(async () => {
  agents.killAll();
  await children.killAll();
  await temp.cleanup();
});

/** A logger that keeps what it is told. */
function keptLog(): { lines: unknown[][]; info: (...args: unknown[]) => void; warn: (...args: unknown[]) => void } {
  const lines: unknown[][] = [];
  return { lines, info: (...args) => lines.push(['info', ...args]), warn: (...args) => lines.push(['warn', ...args]) };
}

/** The pid of a process that has ended (and been reaped): a "dead worker". */
async function deadPid(): Promise<number> {
  const gone = children.start(process.execPath, ['-e', '']);
  await gone.exited;
  return gone.pid;
}

async function writeRecord(dataRoot: string, record: Record<string, unknown>): Promise<string> {
  await mkdir(join(dataRoot, 'agents'), { recursive: true });
  const path = join(dataRoot, 'agents', `${String(record.pid)}.json`);
  await writeFile(path, JSON.stringify(record));
  return path;
}

describe('the agent registry', () => {
  it('ends the agent group a SIGKILLed worker left running, children included, and removes its record', async () => {
    const dataRoot = await temp.make();
    const workspace = join(dataRoot, 'workspace');
    await mkdir(workspace);
    const host = children.start(process.execPath, [join(REPO_ROOT, 'tests', 'fixtures', 'agents', 'agent-host.mjs'), dataRoot, workspace, join(dataRoot, 't.log'), ...fixtureAgent('hanging-agent.mjs')]);
    await waitFor('the hanging agent and its child', () => host.stdout().includes('child up'));
    host.stdout().split('\n').forEach((line) => agents.noteLine(line));
    const { agent, child } = agents.noted();
    expect(await readdir(join(dataRoot, 'agents'))).toEqual([`${agent}.json`]);

    process.kill(host.pid, 'SIGKILL');
    await host.exited;
    expect(isAlive(agent!)).toBe(true);
    expect(isAlive(child!)).toBe(true);

    const log = keptLog();
    const found = await endLeftoverAgents(dataRoot, log, { graceMs: 500 });
    expect(found).toEqual({ ended: [agent], cleared: [], kept: [] });
    expect(isAlive(agent!)).toBe(false);
    expect(isAlive(child!)).toBe(false);
    expect(await readdir(join(dataRoot, 'agents'))).toEqual([]);
    expect(log.lines).toEqual([['info', { pid: agent, task: '7', stage: 'implement', how: 'killed' }, 'ended an agent a dead worker left running']]);
  });

  it('never signals a live process whose pid a record names with other start ticks', async () => {
    const dataRoot = await temp.make();
    const bystander = children.start(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { detached: true });
    agents.noteGroup(bystander.pid);
    const ticks = readPidStartTicks(bystander.pid)!;
    const path = await writeRecord(dataRoot, {
      pid: bystander.pid,
      startTicks: ticks + 1,
      pgid: bystander.pid,
      taskId: '3',
      stage: 'review',
      workerPid: await deadPid(),
      workerStartTicks: 1,
      startedAt: new Date().toISOString(),
    });
    const found = await endLeftoverAgents(dataRoot, keptLog(), { graceMs: 500 });
    expect(found).toEqual({ ended: [], cleared: [bystander.pid], kept: [] });
    expect(isAlive(bystander.pid)).toBe(true);
    await expect(readFile(path)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it("leaves a live worker's agents and their records alone", async () => {
    const dataRoot = await temp.make();
    const running = children.start(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { detached: true });
    agents.noteGroup(running.pid);
    const path = await writeRecord(dataRoot, {
      pid: running.pid,
      startTicks: readPidStartTicks(running.pid),
      pgid: running.pid,
      taskId: '4',
      stage: 'plan',
      workerPid: process.pid,
      workerStartTicks: readPidStartTicks(process.pid),
      startedAt: new Date().toISOString(),
    });
    expect(await endLeftoverAgents(dataRoot, keptLog())).toEqual({ ended: [], cleared: [], kept: [running.pid] });
    expect(isAlive(running.pid)).toBe(true);
    expect(await readFile(path, 'utf8')).toContain('"taskId":"4"');
  });

  it('removes an unreadable record with a warning, and finds nothing in a data root without records', async () => {
    const dataRoot = await temp.make();
    expect(await endLeftoverAgents(dataRoot, keptLog())).toEqual({ ended: [], cleared: [], kept: [] });
    const path = await writeRecord(dataRoot, { pid: 12345 });
    await writeFile(path, '{"pid": 12345, "startTi');
    const log = keptLog();
    await endLeftoverAgents(dataRoot, log);
    expect(log.lines).toEqual([['warn', { path, reason: expect.stringContaining('not JSON') as unknown }, 'agent record unreadable; removed']]);
    expect(await readdir(join(dataRoot, 'agents'))).toEqual([]);
  });
});
