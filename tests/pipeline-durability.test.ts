import { afterEach, describe, expect, it } from '@jest/globals';
import { mkdir, readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { isAlive } from './helpers/child-processes.js';
import { git } from './helpers/git-repo.js';
import { createOriginRig } from './helpers/origin-rig.js';
import type { OriginRig } from './helpers/origin-rig.js';
import { endRecordedAgents } from './helpers/pipeline-worker.js';
import { REPO_ROOT } from './helpers/paths.js';
import { SupervisorRig, testSupervisorSection } from './helpers/supervisor-rig.js';
import type { RunningTestSupervisor } from './helpers/supervisor-rig.js';
import { TempDirs } from './helpers/temp-dir.js';
import { waitFor } from './helpers/wait-for.js';

// The pipeline under a real supervisor: a worker killed with SIGKILL in the
// middle of a run, and a supervisor restarted, lose no task and merge once.

interface ApiTask {
  id: number;
  stage: string;
  status: string;
  history: { stage: string; outcome: string }[];
}

const AGENT = join(REPO_ROOT, 'tests', 'fixtures', 'agents', 'pipeline-agent.mjs');
const temp = new TempDirs();
const rig = new SupervisorRig();
const agentLogs: string[] = [];
afterEach(async () => {
  await rig.cleanup();
  for (const log of agentLogs.splice(0)) await endRecordedAgents(log);
  await temp.cleanup();
});

async function startWithPipeline(origin: OriginRig): Promise<{ supervisor: RunningTestSupervisor; file: string; home: string; agentLog: string }> {
  const agentLog = join(origin.root, 'agent-log');
  await mkdir(agentLog, { recursive: true });
  agentLogs.push(agentLog);
  const home = join(origin.root, 'home');
  const pipeline = `{enabled: true, poll_interval_ms: 100, agent: {command: [${JSON.stringify(process.execPath)}, ${JSON.stringify(AGENT)}]}}`;
  const file = await rig.writeConfig(
    origin.root,
    `${testSupervisorSection(home, '', 'steady')}\nrepos:\n  - {path: ${JSON.stringify(origin.repo)}, slug: acme/alpha, env: {PIPELINE_AGENT_LOG: ${JSON.stringify(agentLog)}}, pipeline: ${pipeline}}\n`,
  );
  const supervisor = await rig.start(file, home);
  await rig.waitForRepo(supervisor, 'acme/alpha', 'to run', (repo) => repo.status === 'running');
  return { supervisor, file, home, agentLog };
}

function untilTask(supervisor: RunningTestSupervisor, id: number, check: (task: ApiTask) => boolean, what: string): Promise<ApiTask> {
  return waitFor(`task ${id} ${what}`, async () => {
    const { status, body } = await rig.api<ApiTask>(supervisor, 'GET', `/api/repos/acme/alpha/tasks/${id}`);
    return status === 200 && check(body) ? body : undefined;
  }, 120_000);
}

async function mergesOf(origin: OriginRig, id: number): Promise<number> {
  const bodies = await git(origin.origin, 'log', '--format=%b', 'main');
  return bodies.split('\n').filter((line) => line === `Repovisor-Task: ${id}`).length;
}

describe('the pipeline under a supervisor', () => {
  it('resumes a task whose worker was SIGKILLed mid-implement: no agent left behind, merged exactly once', async () => {
    const origin = await createOriginRig(temp);
    const { supervisor, agentLog } = await startWithPipeline(origin);
    const created = await rig.api<ApiTask>(supervisor, 'POST', '/api/repos/acme/alpha/tasks', { title: 'Survive a crash', body: '@implement:hang @implement:hang-first' });
    expect(created.status).toBe(201);
    const pidsFile = join(agentLog, 'implement-1.pids');
    const agents = await waitFor('the first implement agent and its child to run', async () => {
      const pids = (await readFile(pidsFile, 'utf8').catch(() => '')).trim().split('\n').filter((line) => line !== '').map(Number);
      return pids.length === 2 ? pids : undefined;
    });
    const [repo] = await rig.repos(supervisor);
    const workerPid = repo?.pid ?? 0;
    expect(workerPid).toBeGreaterThan(0);
    process.kill(workerPid, 'SIGKILL');

    const done = await untilTask(supervisor, 1, (task) => task.stage === 'done', 'to be done after the restart');
    for (const pid of agents) expect(isAlive(pid)).toBe(false);
    expect(done.history.map((entry) => `${entry.stage}:${entry.outcome}`)).toContain('implement:interrupted');
    expect((await rig.repos(supervisor))[0]?.restarts).toBe(1);
    expect(await mergesOf(origin, 1)).toBe(1);
    expect(await readdir(join(origin.root, 'home'), { recursive: true }).then((names) => names.filter((name) => /changes\/\d+\.json$/.test(name)))).toHaveLength(1);
  });

  it('keeps every task across a supervisor restart, each where it was', async () => {
    const origin = await createOriginRig(temp);
    const first = await startWithPipeline(origin);
    await rig.api(first.supervisor, 'POST', '/api/repos/acme/alpha/tasks', { title: 'Park me', body: '@triage:not-ready' });
    await rig.api(first.supervisor, 'POST', '/api/repos/acme/alpha/tasks', { title: 'Finish me', body: 'go' });
    await untilTask(first.supervisor, 1, (task) => task.stage === 'parked', 'to be parked');
    await untilTask(first.supervisor, 2, (task) => task.stage === 'done', 'to be done');
    expect(await rig.stop(first.supervisor)).toMatchObject({ code: 0 });

    const again = await rig.start(first.file, first.home);
    await rig.waitForRepo(again, 'acme/alpha', 'to run again', (repo) => repo.status === 'running');
    const { body } = await rig.api<{ tasks: ApiTask[] }>(again, 'GET', '/api/repos/acme/alpha/tasks');
    expect(body.tasks.map((task) => [task.id, task.stage])).toEqual([[1, 'parked'], [2, 'done']]);
    const third = await rig.api<ApiTask>(again, 'POST', '/api/repos/acme/alpha/tasks', { title: 'After the restart', body: 'go' });
    expect(third.body.id).toBe(3);
    await untilTask(again, 3, (task) => task.stage === 'done', 'to be done');
    expect(await mergesOf(origin, 2)).toBe(1);
    expect(await mergesOf(origin, 3)).toBe(1);
  });
});
