import { afterEach, describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { cp } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { loadConfig } from '@repovisor/supervisor';
import { DEMO_TASKS } from '../scripts/demo-tasks.mjs';
import { ChildProcesses } from './helpers/child-processes.js';
import { git } from './helpers/git-repo.js';
import { REPO_ROOT, WORKER_MAIN } from './helpers/paths.js';
import { TempDirs } from './helpers/temp-dir.js';
import { waitFor } from './helpers/wait-for.js';
import { WorkspaceAgents } from './helpers/workspace-agents.js';

// What `npm start` shows, without the supervisor: a real worker runs the pipeline of
// examples/repos.yaml (the scripted agent, the demo-origin remote) on a demo repository
// made by scripts/create-demo-repos.mjs in a copy of examples/, with the demo's tasks.

const run = promisify(execFile);
const children = new ChildProcesses();
const temp = new TempDirs();
const agents = new WorkspaceAgents(temp);
afterEach(async () => {
  await children.killAll();
  await agents.cleanup();
});

interface ApiTask {
  id: number;
  title: string;
  stage: string;
  status: string;
  change: { state: string } | null;
}

/** The demo's `acme/alpha` in a copy of examples/, its worker's data root, and its pipeline as repos.yaml resolves it. */
async function demoAlpha(): Promise<{ folder: string; repo: string; origin: string; dataRoot: string; pipeline: unknown }> {
  const folder = await temp.make('repovisor-demo-');
  await cp(join(REPO_ROOT, 'examples', 'repos.yaml'), join(folder, 'repos.yaml'));
  await cp(join(REPO_ROOT, 'examples', 'agents'), join(folder, 'agents'), { recursive: true });
  await run(process.execPath, [join(REPO_ROOT, 'scripts', 'create-demo-repos.mjs'), folder]);
  const alpha = (await loadConfig(join(folder, 'repos.yaml'), {})).repos.find((repo) => repo.slug === 'acme/alpha');
  if (alpha === undefined) throw new Error('examples/repos.yaml has no acme/alpha');
  return { folder, repo: alpha.path, origin: join(folder, 'origins', 'alpha.git'), dataRoot: join(folder, 'data'), pipeline: alpha.pipeline };
}

describe('the demo', () => {
  it('brings its tasks to done with the scripted agent, parks the not-ready one, and merges the changes into the demo origin', async () => {
    const demo = await demoAlpha();
    const operatorBefore = await git(demo.repo, 'for-each-ref', '--format=%(refname) %(objectname)');
    const originBefore = await git(demo.origin, 'rev-parse', 'main');
    agents.track(demo.dataRoot);
    const env = {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      REPOVISOR_SLUG: 'acme/alpha',
      REPOVISOR_REPO_PATH: demo.repo,
      REPOVISOR_DATA_ROOT: demo.dataRoot,
      REPOVISOR_PIPELINE: JSON.stringify(demo.pipeline),
    };
    const worker = children.start(process.execPath, [WORKER_MAIN], { env });
    const base = await waitFor('the worker to listen', () => {
      if (worker.child.exitCode !== null) throw new Error(`the worker exited with code ${worker.child.exitCode}: ${worker.stderr()}`);
      const line = worker.stdout().split('\n').find((entry) => entry.includes('worker listening'));
      return line === undefined ? undefined : new URL((JSON.parse(line) as { url: string }).url).origin;
    });
    for (const task of DEMO_TASKS) {
      const made = await fetch(`${base}/api/tasks`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(task) });
      expect(made.status).toBe(201);
    }
    const tasks = await waitFor(
      'every demo task to end',
      async () => {
        const { tasks: listed } = (await (await fetch(`${base}/api/tasks`)).json()) as { tasks: ApiTask[] };
        return listed.every((task) => task.status === 'done' || task.status === 'parked') && listed;
      },
      120_000,
    );
    expect(tasks.map(({ title, stage, status, change }) => ({ title, stage, status, change: change?.state ?? null }))).toEqual([
      { title: 'Add a contributing guide', stage: 'done', status: 'done', change: 'merged' },
      { title: 'Document the release steps', stage: 'done', status: 'done', change: 'merged' },
      { title: 'Keep a changelog [already-done]', stage: 'done', status: 'done', change: null },
      { title: 'Make it better [not-ready]', stage: 'parked', status: 'parked', change: null },
    ]);

    const merged = await git(demo.origin, 'log', '--format=%s|%(trailers:key=Repovisor-Task,valueonly)', `${originBefore}..main`);
    expect(merged.split('\n').filter((line) => line !== '').sort()).toEqual(['Task 1: Add a contributing guide|1', 'Task 2: Document the release steps|2']);
    expect(await git(demo.origin, 'ls-tree', '--name-only', 'main', 'tasks/')).toBe('tasks/issue-1.md\ntasks/issue-2.md');
    expect(await git(demo.origin, 'branch', '--list', 'agent/*')).toBe('');
    expect(await git(demo.repo, 'for-each-ref', '--format=%(refname) %(objectname)')).toBe(operatorBefore);
    expect(await git(demo.repo, 'status', '--porcelain')).toBe('');

    process.kill(worker.pid, 'SIGTERM');
    expect(await worker.exited).toEqual({ code: 0, signal: null });
  });
});
