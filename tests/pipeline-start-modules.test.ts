import { afterEach, describe, expect, it } from '@jest/globals';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ChildProcesses } from './helpers/child-processes.js';
import { createOriginRig } from './helpers/origin-rig.js';
import { endRecordedAgents, startPipelineWorker, testPipeline } from './helpers/pipeline-worker.js';
import { REPO_ROOT } from './helpers/paths.js';
import { TempDirs } from './helpers/temp-dir.js';
import { waitFor } from './helpers/wait-for.js';

// Start-up stays light: a worker without the pipeline loads none of it, and
// one with the pipeline loads the agent runner only for its first agent run.
// The worker as tsc compiled it (one module per source file) and the bench's
// module recorder tell which modules were loaded.

const RECORDER = join(REPO_ROOT, 'scripts/bench/fixtures/count-modules.mjs');
const UNBUNDLED_MAIN = join(REPO_ROOT, 'packages/worker/dist/main.js');
const temp = new TempDirs();
const children = new ChildProcesses();
const agentLogs: string[] = [];
afterEach(async () => {
  await children.killAll();
  for (const log of agentLogs.splice(0)) await endRecordedAgents(log);
  await temp.cleanup();
});

async function pipelineModules(file: string): Promise<string[]> {
  const lines = (await readFile(file, 'utf8')).split('\n');
  return lines.flatMap((line) => /\/packages\/worker\/dist\/(pipeline\/.+\.js)$/.exec(line)?.[1] ?? []);
}

describe("the pipeline's modules at a worker's start", () => {
  it('are not loaded by a worker whose repo has no pipeline', async () => {
    const rig = await createOriginRig(temp);
    const modules = join(rig.root, 'modules.txt');
    const worker = await startPipelineWorker(children, rig, null, { main: UNBUNDLED_MAIN, nodeArgs: ['--import', RECORDER], env: { RVBENCH_MODULES_FILE: modules } });
    expect((await worker.api('GET', '/api/runtimes')).status).toBe(200);
    const loaded = await readFile(modules, 'utf8');
    // The recorder works: the worker's own modules are listed.
    expect(loaded).toContain('/packages/worker/dist/runtime/repo-runtime.js');
    expect(await pipelineModules(modules)).toEqual([]);
  });

  it('load the engine at start and the agent runner on the first task', async () => {
    const rig = await createOriginRig(temp);
    const modules = join(rig.root, 'modules.txt');
    const worker = await startPipelineWorker(children, rig, testPipeline(), { main: UNBUNDLED_MAIN, nodeArgs: ['--import', RECORDER], env: { RVBENCH_MODULES_FILE: modules } });
    agentLogs.push(worker.agentLog);
    // Polled a few times, no task yet.
    await waitFor('the pipeline to poll', async () => (await worker.api<{ events: { type: string }[] }>('GET', '/api/events')).body.events.length > 0);
    const idle = await pipelineModules(modules);
    expect(idle).toContain('pipeline/engine/pipeline-engine.js');
    expect(idle).not.toContain('pipeline/agents/command-agent.js');

    await worker.api('POST', '/api/tasks', { title: 'Load the runner', body: 'go' });
    await waitFor('the task to be done', async () => (await worker.api<{ stage: string }>('GET', '/api/tasks/1')).body.stage === 'done', 90_000);
    expect(await pipelineModules(modules)).toContain('pipeline/agents/command-agent.js');
  });
});
