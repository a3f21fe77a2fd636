import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startPipelineSupervisor, taskInHitl, waitForTask } from './helpers/pipeline-supervisor.js';
import type { ApiTask, PipelineSupervisor } from './helpers/pipeline-supervisor.js';
import { SupervisorRig } from './helpers/supervisor-rig.js';
import { TempDirs } from './helpers/temp-dir.js';

// The supervisor's proxy to a worker's pipeline routes (docs/API.md): every
// route with its query and body, the worker's 4xx passed back unchanged, the
// proxy's own 503, the `owner-repo` spelling and the token on mutations.
const temp = new TempDirs();
const rig = new SupervisorRig();
let supervisor: PipelineSupervisor;
let waiting: ApiTask;

beforeAll(async () => {
  supervisor = await startPipelineSupervisor(rig, temp);
  waiting = await taskInHitl(rig, supervisor, 'proxy task');
}, 180_000);

afterAll(async () => {
  await rig.cleanup();
  await temp.cleanup();
});

const api = <T = Record<string, unknown>>(method: string, path: string, body?: unknown, options?: Parameters<SupervisorRig['api']>[4]) =>
  rig.api<T>(supervisor, method, path, body, options);

describe('the proxy to the pipeline routes', () => {
  it('forwards POST /tasks with its body and GET /tasks, /tasks/:id in both slug spellings', async () => {
    const created = await api<ApiTask>('POST', '/api/repos/acme/alpha/tasks', { title: 'through the proxy', body: 'a body\nof two lines', labels: ['x'] });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ title: 'through the proxy', body: 'a body\nof two lines', stage: 'triage', status: 'queued' });
    for (const slug of ['acme/alpha', 'acme-alpha', 'ACME-Alpha']) {
      const list = await api<{ tasks: ApiTask[] }>('GET', `/api/repos/${slug}/tasks`);
      expect(list.status).toBe(200);
      expect(list.body.tasks.map((task) => task.id)).toEqual(expect.arrayContaining([waiting.id, created.body.id]));
      const one = await api<ApiTask>('GET', `/api/repos/${slug}/tasks/${created.body.id}`);
      expect(one).toMatchObject({ status: 200, body: { id: created.body.id, title: 'through the proxy' } });
    }
  });

  it('forwards the query of /tasks/:id/transcript and /events', async () => {
    const three = await api<{ task: number; run: { stage: string; attempt: number } | null; lines: string[] }>('GET', `/api/repos/acme-alpha/tasks/${waiting.id}/transcript?lines=3`);
    expect(three.status).toBe(200);
    expect(three.body).toMatchObject({ task: waiting.id, run: { stage: 'implement', attempt: 1 } });
    expect(three.body.lines).toHaveLength(3);
    const all = await api<{ events: { id: number; type: string }[] }>('GET', '/api/repos/acme/alpha/events?since=0&limit=5000');
    expect(all.status).toBe(200);
    expect(all.body.events.length).toBeGreaterThan(3);
    const since = all.body.events[1]?.id ?? 0;
    const two = await api<{ events: { id: number }[] }>('GET', `/api/repos/acme/alpha/events?since=${since}&limit=2`);
    expect(two.body.events.map((event) => event.id)).toEqual(all.body.events.slice(2, 4).map((event) => event.id));
  });

  it('forwards GET /pipeline and /hitl', async () => {
    const pipeline = await api<{ stages: Record<string, { issue_number: number }[]> }>('GET', '/api/repos/acme/alpha/pipeline');
    expect(pipeline.status).toBe(200);
    expect(Object.keys(pipeline.body.stages).sort()).toEqual(['hitl', 'implement', 'plan', 'review', 'triage']);
    expect(pipeline.body.stages.hitl?.map((entry) => entry.issue_number)).toContain(waiting.id);
    const hitl = await api<{ items: { issue: number; origin_stage: string }[] }>('GET', '/api/repos/acme-alpha/hitl');
    expect(hitl.status).toBe(200);
    expect(hitl.body.items).toContainEqual(expect.objectContaining({ issue: waiting.id, origin_stage: 'implement' }));
  });

  it('forwards POST /hitl/:id/correct with its body, then /skip, and passes back the 409 of a task no longer in hitl', async () => {
    const task = await taskInHitl(rig, supervisor, 'to correct');
    const corrected = await api<ApiTask>('POST', `/api/repos/acme/alpha/hitl/${task.id}/correct`, { correction: 'commit something this time' });
    expect(corrected.status).toBe(200);
    expect(corrected.body.id).toBe(task.id);
    expect(corrected.body.status).not.toBe('hitl');
    const back = await waitForTask(rig, supervisor, task.id, 'back in hitl after its correction', (entry) => entry.status === 'hitl');
    expect(back.history.length).toBeGreaterThan(task.history.length);
    const skipped = await api<ApiTask>('POST', `/api/repos/acme-alpha/hitl/${task.id}/skip`);
    expect(skipped).toMatchObject({ status: 200, body: { id: task.id, stage: 'parked', status: 'parked' } });
    const again = await api('POST', `/api/repos/acme/alpha/hitl/${task.id}/skip`);
    expect(again.status).toBe(409);
    expect(again.body).toEqual({ error: expect.any(String) });
  });

  it('forwards POST /hitl/:id/close', async () => {
    const task = await taskInHitl(rig, supervisor, 'to close');
    const closed = await api<ApiTask>('POST', `/api/repos/acme/alpha/hitl/${task.id}/close`);
    expect(closed).toMatchObject({ status: 200, body: { id: task.id, stage: 'closed', status: 'closed' } });
  });

  it.each([
    ['POST', '/tasks', { title: 5, body: 'x' }],
    ['POST', '/tasks', { body: 'no title' }],
    ['GET', '/tasks/<waiting>/transcript?lines=0', undefined],
    ['GET', '/events?since=-1', undefined],
    ['GET', '/events?limit=5001', undefined],
    ['POST', '/hitl/<waiting>/correct', { correction: '' }],
  ])('passes back the worker\'s 400 for %s %s', async (method, path, body) => {
    const answer = await api(method, `/api/repos/acme/alpha${path.replace('<waiting>', String(waiting.id))}`, body);
    expect(answer.status).toBe(400);
    expect(answer.body).toMatchObject({ error: expect.any(String) });
  });

  it('passes back the worker\'s 404 for an unknown task and its 400 for a title over 200 characters', async () => {
    expect(await api('GET', '/api/repos/acme/alpha/tasks/999')).toEqual({ status: 404, body: { error: 'Unknown task: 999' } });
    expect(await api('GET', '/api/repos/acme/alpha/tasks/abc')).toEqual({ status: 404, body: { error: 'Unknown task: abc' } });
    expect(await api('POST', '/api/repos/acme/alpha/hitl/999/close')).toEqual({ status: 404, body: { error: 'Unknown task: 999' } });
    const long = await api('POST', '/api/repos/acme/alpha/tasks', { title: 'x'.repeat(201), body: 'b' });
    expect(long).toEqual({ status: 400, body: { error: expect.stringContaining('title: 201 characters, over the limit of 200') } });
  });

  it('answers its own 413 to a body over 64 KiB before the worker sees it, and creates nothing', async () => {
    const before = (await api<{ tasks: ApiTask[] }>('GET', '/api/repos/acme/alpha/tasks')).body.tasks.length;
    const big = await api('POST', '/api/repos/acme/alpha/tasks', { title: 'big', body: 'x'.repeat(64 * 1024) });
    expect(big).toEqual({ status: 413, body: { error: 'Payload too large: the body is over the limit' } });
    const correction = await api('POST', `/api/repos/acme/alpha/hitl/${waiting.id}/correct`, { correction: 'x'.repeat(64 * 1024) });
    expect(correction.status).toBe(413);
    expect((await api<{ tasks: ApiTask[] }>('GET', '/api/repos/acme/alpha/tasks')).body.tasks).toHaveLength(before);
  });

  it('passes back the worker\'s 404 naming the fix for a repo whose pipeline is not enabled', async () => {
    for (const route of ['tasks', 'pipeline', 'hitl']) {
      expect(await api('GET', `/api/repos/solo/${route}`)).toEqual({
        status: 404,
        body: { error: 'Not available: the pipeline is not enabled for solo: set pipeline.enabled: true (with an agent) in repos.yaml' },
      });
    }
  });

  it('answers 503 naming the state and the route while the worker is not running', async () => {
    for (const [method, route] of [['GET', 'tasks'], ['POST', 'tasks'], ['GET', 'pipeline'], ['GET', 'hitl'], ['POST', 'hitl/1/skip'], ['GET', 'events']] as const) {
      const answer = await api(method, `/api/repos/acme/idle/${route}`, method === 'POST' && route === 'tasks' ? { title: 't', body: 'b' } : undefined);
      const name = route.split('/')[0] ?? '';
      expect(answer).toEqual({ status: 503, body: { error: `The worker of acme/idle is not available (state: stopped); its ${name} can be reached once it is running` } });
    }
  });

  it('answers 404 for a pipeline route of an unknown repo', async () => {
    expect(await api('GET', '/api/repos/nope/tasks')).toEqual({ status: 404, body: { error: 'Unknown repo: nope' } });
    expect(await api('GET', '/api/repos/nope/hitl/3')).toEqual({ status: 404, body: { error: 'Unknown repo: nope' } });
  });

  it('answers 401 to a proxied POST without the token, and creates nothing', async () => {
    const before = (await api<{ tasks: ApiTask[] }>('GET', '/api/repos/acme/alpha/tasks')).body.tasks.length;
    for (const path of ['/tasks', `/hitl/${waiting.id}/close`]) {
      const answer = await api('POST', `/api/repos/acme/alpha${path}`, { title: 'sneaky', body: 'b' }, { token: false });
      expect(answer).toEqual({ status: 401, body: { error: 'Unauthorized: this call needs the bearer token (Authorization: Bearer <token>)' } });
    }
    expect((await api<{ tasks: ApiTask[] }>('GET', '/api/repos/acme/alpha/tasks')).body.tasks).toHaveLength(before);
    expect((await api<ApiTask>('GET', `/api/repos/acme/alpha/tasks/${waiting.id}`)).body.status).toBe('hitl');
  });
});
