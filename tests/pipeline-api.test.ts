import { afterEach, describe, expect, it } from '@jest/globals';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ChildProcesses } from './helpers/child-processes.js';
import { git } from './helpers/git-repo.js';
import { createOriginRig } from './helpers/origin-rig.js';
import { startPipelineWorker, testPipeline } from './helpers/pipeline-worker.js';
import { startStandaloneWorker } from './helpers/standalone-worker.js';
import { TempDirs } from './helpers/temp-dir.js';
import { waitFor } from './helpers/wait-for.js';

// The worker's pipeline routes: every refusal, with a message that says why.

const temp = new TempDirs();
const children = new ChildProcesses();
afterEach(async () => {
  await children.killAll();
  await temp.cleanup();
});

describe("the worker's pipeline API", () => {
  it('answers 400, 413, 404 and 409 with clear errors, and stores nothing it refused', async () => {
    const rig = await createOriginRig(temp);
    const worker = await startPipelineWorker(children, rig, testPipeline());
    const refused = async (method: string, path: string, body: unknown, status: number, message: RegExp): Promise<void> => {
      const answer = await worker.api<{ error: string }>(method, path, body);
      expect({ path, status: answer.status }).toEqual({ path, status });
      expect(answer.body.error).toMatch(message);
    };
    await refused('POST', '/api/tasks', { body: 'no title' }, 400, /title/);
    await refused('POST', '/api/tasks', [1, 2], 400, /JSON object/);
    await refused('POST', '/api/tasks', '{"title": ', 400, /.+/);
    await refused('POST', '/api/tasks', { title: 'big', body: 'x'.repeat(70 * 1024) }, 413, /body/);
    await refused('POST', '/api/tasks', { title: 'huge', body: 'x'.repeat(2 * 1024 * 1024) }, 413, /.+/);
    expect((await worker.api<{ tasks: unknown[] }>('GET', '/api/tasks')).body.tasks).toEqual([]);

    const created = await worker.api<{ id: number }>('POST', '/api/tasks', { title: 'Park me', body: '@triage:not-ready', labels: ['demo'] });
    expect(created.status).toBe(201);
    await refused('GET', '/api/tasks/2', undefined, 404, /^Unknown task: 2$/);
    await refused('GET', '/api/tasks/abc', undefined, 404, /^Unknown task: abc$/);
    await refused('GET', '/api/tasks/1/transcript?lines=0', undefined, 400, /lines/);
    await refused('POST', '/api/hitl/9/skip', undefined, 404, /Unknown task: 9/);
    await refused('POST', '/api/hitl/1/correct', { correction: '  ' }, 400, /correction/);
    await refused('POST', '/api/hitl/1/correct', { correction: 'x'.repeat(65 * 1024) }, 413, /64 KiB/);
    await refused('POST', '/api/hitl/1/undo', undefined, 404, /correct, skip and close/);
    await refused('GET', '/api/events?since=-1', undefined, 400, /since/);
    await refused('GET', '/api/events?limit=0', undefined, 400, /limit/);
    await waitFor('task 1 to be parked', async () => (await worker.api<{ stage: string }>('GET', '/api/tasks/1')).body.stage === 'parked');
    await refused('POST', '/api/hitl/1/close', undefined, 409, /not in hitl/);
    await refused('POST', '/api/hitl/1/correct', { correction: 'do it' }, 409, /not in hitl/);
    const task = await worker.api<{ stage: string; history: unknown[] }>('GET', '/api/tasks/1');
    expect(task.body).toMatchObject({ stage: 'parked', status: 'parked' });
    expect(task.body.history).toHaveLength(1);
  });

  it('moves a corrupt task file aside and runs the others', async () => {
    const rig = await createOriginRig(temp);
    await mkdir(join(rig.dataRoot, 'tasks'), { recursive: true });
    await writeFile(join(rig.dataRoot, 'tasks', '1.json'), '{"version": 1, "id": 1, "title": "torn');
    const worker = await startPipelineWorker(children, rig, testPipeline());
    expect(await readdir(join(rig.dataRoot, 'tasks', 'corrupt'))).toEqual([expect.stringMatching(/^1\.json\./) as unknown]);
    expect(worker.worker.stdout()).toMatch(/moved/);
    const created = await worker.api<{ id: number }>('POST', '/api/tasks', { title: 'After the torn one', body: 'go' });
    // A moved-aside id is never given again.
    expect(created.body.id).toBe(2);
    await waitFor('task 2 to be done', async () => (await worker.api<{ stage: string }>('GET', '/api/tasks/2')).body.stage === 'done', 90_000);
  });

  it('fails the runtime with the fix in last_error when the repo lacks its remote, and works once it is added', async () => {
    const rig = await createOriginRig(temp);
    await git(rig.repo, 'remote', 'rename', 'origin', 'upstream');
    const worker = await startPipelineWorker(children, rig, testPipeline());
    const info = await waitFor('last_error to name the missing remote', async () => {
      const { body } = await worker.api<{ last_error: string | null }>('GET', '/api/runtimes/acme/alpha');
      return body.last_error?.includes('origin') === true ? body : undefined;
    });
    expect(info.last_error).toMatch(/pipeline failed: .*remote "origin".*git remote add|pipeline\.remote/s);
    // The loop keeps trying, and the fifth like failure in a row raises a system_alert.
    const alert = await waitFor('a system_alert', async () => {
      const { body } = await worker.api<{ events: { type: string; data: Record<string, unknown> }[] }>('GET', '/api/events?limit=5000');
      return body.events.find((event) => event.type === 'system_alert');
    });
    expect(alert.data).toMatchObject({ stage: 'pipeline', count: 5 });
    await worker.api('POST', '/api/tasks', { title: 'Waits for the remote', body: 'go' });
    await git(rig.repo, 'remote', 'add', 'origin', rig.origin);
    await waitFor('task 1 to be done', async () => (await worker.api<{ stage: string }>('GET', '/api/tasks/1')).body.stage === 'done', 120_000);
    expect((await worker.api<{ last_error: string | null }>('GET', '/api/runtimes/acme/alpha')).body.last_error).toBeNull();
  });

  it('names a missing agent in last_error at start, and burns no attempt for it', async () => {
    const rig = await createOriginRig(temp);
    const worker = await startPipelineWorker(children, rig, testPipeline({ stages: { review: { agent: { command: ['no-such-reviewer', '--strict'] } } } }));
    const info = await waitFor('last_error to name the missing agent', async () => {
      const { body } = await worker.api<{ last_error: string | null }>('GET', '/api/runtimes/acme/alpha');
      return body.last_error?.includes('no-such-reviewer') === true ? body : undefined;
    });
    expect(info.last_error).toMatch(/the agent of review: no-such-reviewer is not on the worker's PATH .*fix the agent's command in repos\.yaml/);
    await worker.api('POST', '/api/tasks', { title: 'Waits for its agents', body: 'go' });
    // Polled again since the task came: it is still untouched.
    const failures = async (): Promise<number> => (await worker.api<{ events: { type: string }[] }>('GET', '/api/events?limit=5000')).body.events.filter((event) => event.type === 'loop.failed').length;
    const seen = await failures();
    await waitFor('two more failed polls', async () => (await failures()) >= seen + 2);
    expect((await worker.api('GET', '/api/tasks/1')).body).toMatchObject({ stage: 'triage', status: 'queued', history: [] });
  });

  it('answers 404 naming pipeline.enabled on a worker whose pipeline is off, and still serves its events', async () => {
    const root = await temp.make();
    const { url } = await startStandaloneWorker(children, root);
    const base = new URL(url).origin;
    for (const path of ['/api/tasks', '/api/tasks/1', '/api/pipeline', '/api/hitl']) {
      const response = await fetch(`${base}${path}`);
      expect({ path, status: response.status }).toEqual({ path, status: 404 });
      expect(((await response.json()) as { error: string }).error).toContain('pipeline.enabled: true');
    }
    const events = (await (await fetch(`${base}/api/events`)).json()) as { events: { type: string; session_id: string | null; repo: string }[] };
    expect(events.events.find((event) => event.type === 'runtime.started')).toMatchObject({ repo: 'acme/alpha', session_id: expect.stringMatching(/.+/) });
  });
});
