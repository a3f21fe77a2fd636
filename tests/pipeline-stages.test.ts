import { afterEach, describe, expect, it } from '@jest/globals';
import { readFile, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { ChildProcesses, isAlive } from './helpers/child-processes.js';
import { git } from './helpers/git-repo.js';
import { createOriginRig } from './helpers/origin-rig.js';
import type { OriginRig } from './helpers/origin-rig.js';
import { endRecordedAgents, startPipelineWorker, testPipeline } from './helpers/pipeline-worker.js';
import type { PipelineWorker } from './helpers/pipeline-worker.js';
import { TempDirs } from './helpers/temp-dir.js';
import { waitFor } from './helpers/wait-for.js';

// The pipeline's stages end to end: a real worker, real git, a bare origin,
// and the scripted agent of tests/fixtures/agents/pipeline-agent.mjs.

interface ApiTask {
  id: number;
  stage: string;
  status: string;
  attempts: { plan: number; implement: number; review: number };
  branch: string;
  change: { number: number; url: string; state: string } | null;
  history: { stage: string; outcome: string; detail: string }[];
  last_error: string | null;
}

const temp = new TempDirs();
const children = new ChildProcesses();
const agentLogs: string[] = [];
afterEach(async () => {
  await children.killAll();
  for (const log of agentLogs.splice(0)) await endRecordedAgents(log);
  await temp.cleanup();
});

async function addTask(worker: PipelineWorker, body: string, title = 'Write the task file'): Promise<ApiTask> {
  agentLogs.push(worker.agentLog);
  const created = await worker.api<ApiTask>('POST', '/api/tasks', { title, body });
  expect(created.status).toBe(201);
  return created.body;
}

function untilTask(worker: PipelineWorker, id: number, done: (task: ApiTask) => boolean, what: string): Promise<ApiTask> {
  return waitFor(`task ${id} ${what}`, async () => {
    const { body } = await worker.api<ApiTask>('GET', `/api/tasks/${id}`);
    return done(body) ? body : undefined;
  }, 90_000);
}

async function originHas(rig: OriginRig, ref: string): Promise<boolean> {
  return (await git(rig.origin, 'for-each-ref', '--format=%(refname)', ref)) !== '';
}

describe('the pipeline on a local task source', () => {
  it('takes a task from triage to done: its commit squash-merged on the origin, its branch deleted, the operator untouched', async () => {
    const rig = await createOriginRig(temp);
    const before = await rig.operatorState();
    const mainBefore = await rig.originMain();
    const worker = await startPipelineWorker(children, rig, testPipeline());
    const task = await addTask(worker, 'Add task-1.txt.');
    expect(task).toMatchObject({ id: 1, stage: 'triage', status: 'queued', branch: 'agent/issue-1', change: null });

    const done = await untilTask(worker, 1, (each) => each.stage === 'done', 'to be done');
    expect(done.history.map((entry) => `${entry.stage}:${entry.outcome}`)).toEqual(['triage:ready', 'plan:planned', 'implement:committed', 'review:approved', 'review:merged']);
    expect(done.change).toMatchObject({ number: 1, state: 'merged' });
    const log = await git(rig.origin, 'log', '--format=%s%n%b', 'main', '-1');
    expect(log).toContain('Repovisor-Task: 1');
    expect(await git(rig.origin, 'show', 'main:task-1.txt')).toBe('implement 1');
    expect(await git(rig.origin, 'rev-parse', 'main~1')).toBe(mainBefore);
    expect(await originHas(rig, 'refs/heads/agent/issue-1')).toBe(false);
    expect(await rig.operatorState()).toBe(before);
    await waitFor('the workspace to be removed', async () => !(await stat(join(rig.dataRoot, 'workspaces', 'issue-1')).catch(() => undefined)));

    const { body } = await worker.api<{ events: { id: number; type: string; timestamp: string; data: Record<string, unknown>; session_id: string | null; repo: string }[] }>('GET', '/api/events?since=0&limit=5000');
    const types = new Set(body.events.map((event) => event.type));
    for (const type of ['queue_update', 'phase_change', 'triage_update', 'planner_update', 'worker_update', 'review_update', 'transcript_line', 'pr_created', 'merge_update']) expect(types).toContain(type);
    const merge = body.events.find((event) => event.type === 'merge_update');
    expect(merge).toMatchObject({ repo: 'acme/alpha', data: { issue: 1, status: 'merged' } });
    expect(merge?.session_id).toMatch(/.+/);
    const ids = body.events.map((event) => event.id);
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    const later = await worker.api<{ events: { id: number }[] }>('GET', `/api/events?since=${ids.at(-2) ?? 0}`);
    expect(later.body.events.map((event) => event.id)).toEqual([ids.at(-1)]);
    const line = body.events.find((event) => event.type === 'transcript_line' && event.data.stage === 'implement');
    expect(line?.data).toMatchObject({ issue: 1, attempt: 1, line: 'implement-1 for task 1 on agent/issue-1' });
    const transcript = await worker.api<{ task: number; run: { stage: string; attempt: number }; lines: string[] }>('GET', '/api/tasks/1/transcript?lines=2');
    expect(transcript.body).toEqual({ task: 1, run: { stage: 'review', attempt: 1 }, lines: ['VERDICT: APPROVE', 'SUMMARY: looks right'] });
  });

  it('parks a task that is not ready, and ends an already satisfied one as done with no change', async () => {
    const rig = await createOriginRig(temp);
    const mainBefore = await rig.originMain();
    const worker = await startPipelineWorker(children, rig, testPipeline());
    await addTask(worker, 'Not yet. @triage:not-ready');
    await addTask(worker, 'Nothing to do. @plan:satisfied');
    const parked = await untilTask(worker, 1, (each) => each.stage === 'parked', 'to be parked');
    expect(parked).toMatchObject({ status: 'parked', change: null });
    expect(parked.history.at(-1)).toMatchObject({ stage: 'triage', outcome: 'not_ready', detail: 'the body asks to be parked' });
    const satisfied = await untilTask(worker, 2, (each) => each.stage === 'done', 'to be done');
    expect(satisfied).toMatchObject({ change: null });
    expect(satisfied.history.at(-1)).toMatchObject({ stage: 'plan', outcome: 'already_satisfied', detail: 'the repository already does it' });
    expect(await rig.originMain()).toBe(mainBefore);
    expect(await originHas(rig, 'refs/heads/agent')).toBe(false);
  });

  it('escalates three implement runs without a commit to hitl, and a correction then reaches done', async () => {
    const rig = await createOriginRig(temp);
    const worker = await startPipelineWorker(children, rig, testPipeline());
    await addTask(worker, 'Do nothing. @implement:nothing');
    const escalated = await untilTask(worker, 1, (each) => each.status === 'hitl', 'to wait for a human');
    expect(escalated).toMatchObject({ stage: 'hitl', attempts: { implement: 3 } });
    expect(escalated.history.filter((entry) => entry.outcome === 'no_commits')).toHaveLength(3);
    const hitl = await worker.api<{ items: { issue: number; cause: string; origin_stage: string; branch: string; pr: number | null }[] }>('GET', '/api/hitl');
    expect(hitl.body.items).toEqual([{ issue: 1, title: 'Write the task file', cause: expect.stringContaining('implement attempts ran out') as unknown, origin_stage: 'implement', branch: 'agent/issue-1', pr: null }]);

    const corrected = await worker.api<ApiTask>('POST', '/api/hitl/1/correct', { correction: 'Write the file after all: CORRECTION-42' });
    expect(corrected.status).toBe(200);
    const done = await untilTask(worker, 1, (each) => each.stage === 'done', 'to be done');
    expect(done.history.map((entry) => entry.outcome).slice(-4)).toEqual(['corrected', 'committed', 'approved', 'merged']);
    expect(await readFile(join(worker.agentLog, 'hitl-1.prompt'), 'utf8')).toContain('CORRECTION-42');
    expect(await git(rig.origin, 'show', 'main:task-1.txt')).toBe('hitl 1: the correction applied');
  });

  it('sends rejected changes back to implement with the feedback in the prompt, then to hitl at the cap', async () => {
    const rig = await createOriginRig(temp);
    const worker = await startPipelineWorker(children, rig, testPipeline());
    await addTask(worker, 'Never good enough. @review:reject');
    const escalated = await untilTask(worker, 1, (each) => each.status === 'hitl', 'to wait for a human');
    expect(escalated).toMatchObject({ stage: 'hitl', attempts: { review: 2 }, change: { number: 1, state: 'open' } });
    expect(escalated.history.filter((entry) => entry.outcome === 'changes_requested')).toHaveLength(2);
    expect(await readFile(join(worker.agentLog, 'implement-2.prompt'), 'utf8')).toContain('FEEDBACK-1: rename the file');
    const hitl = await worker.api<{ items: { origin_stage: string; pr: number | null }[] }>('GET', '/api/hitl');
    expect(hitl.body.items).toEqual([expect.objectContaining({ origin_stage: 'review', pr: 1 })]);
    // Never a second change request for the task.
    expect(await readdir(join(rig.dataRoot, 'changes'))).toEqual(['1.json']);
  });

  it('runs max_workers implement runs at once', async () => {
    const rig = await createOriginRig(temp);
    // Each run waits until the other has started: with one place, the first would fail.
    const worker = await startPipelineWorker(children, rig, testPipeline({ max_issue_attempts: 1, stages: { implement: { max_workers: 2 } } }));
    await addTask(worker, 'Side by side. @implement:together', 'First');
    await addTask(worker, 'Side by side. @implement:together', 'Second');
    for (const id of [1, 2]) {
      const done = await untilTask(worker, id, (each) => each.stage === 'done' || each.status === 'hitl', 'to end');
      expect(done).toMatchObject({ stage: 'done', attempts: { implement: 0 } });
    }
  });

  it('ends a hanging agent and its children at agent_timeout_ms, a failed attempt', async () => {
    const rig = await createOriginRig(temp);
    const worker = await startPipelineWorker(children, rig, testPipeline({ agent_timeout_ms: 1500, max_issue_attempts: 1 }));
    await addTask(worker, 'Hang. @implement:hang');
    const escalated = await untilTask(worker, 1, (each) => each.status === 'hitl', 'to wait for a human');
    expect(escalated.history.at(-1)?.detail).toContain('agent_timeout_ms');
    const pids = (await readFile(join(worker.agentLog, 'implement-1.pids'), 'utf8')).trim().split('\n').map(Number);
    expect(pids).toHaveLength(2);
    for (const pid of pids) expect(isAlive(pid)).toBe(false);
  });
});
