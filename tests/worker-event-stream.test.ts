import { afterEach, describe, expect, it } from '@jest/globals';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ChildProcesses } from './helpers/child-processes.js';
import { createOriginRig } from './helpers/origin-rig.js';
import { REPO_ROOT } from './helpers/paths.js';
import { startPipelineWorker } from './helpers/pipeline-worker.js';
import type { PipelineWorker } from './helpers/pipeline-worker.js';
import { openStream, refusedStatus } from './helpers/stream-client.js';
import type { StreamClient } from './helpers/stream-client.js';
import { TempDirs } from './helpers/temp-dir.js';

// The worker's own `/ws`, against a worker started by hand (no pipeline): its
// runtime's events replayed, then live; `since` on a reconnect; 1008 for an
// unknown repo; and `ws` loaded only by the first upgrade.

const RECORDER = join(REPO_ROOT, 'scripts/bench/fixtures/count-modules.mjs');
const UNBUNDLED_MAIN = join(REPO_ROOT, 'packages/worker/dist/main.js');
const temp = new TempDirs();
const children = new ChildProcesses();
const clients: StreamClient[] = [];
afterEach(async () => {
  for (const client of clients.splice(0)) client.socket.terminate();
  await children.killAll();
  await temp.cleanup();
});

async function stream(worker: PipelineWorker, query: string): Promise<StreamClient> {
  const client = await openStream(`${worker.base.replace('http:', 'ws:')}/ws${query}`);
  clients.push(client);
  return client;
}

/** Stops and starts the runtime: two new events, `runtime.stopped` and `runtime.started`. */
async function restartRuntime(worker: PipelineWorker): Promise<void> {
  expect((await worker.api('POST', '/api/runtimes/acme/alpha/stop')).status).toBe(200);
  expect((await worker.api('POST', '/api/runtimes/acme/alpha/start')).status).toBe(200);
}

describe("a worker's /ws", () => {
  it('replays the history, says replay_done, then sends each new event once, tagged with the repo', async () => {
    const worker = await startPipelineWorker(children, await createOriginRig(temp), null);
    const client = await stream(worker, '?repo=acme/alpha');
    const done = await client.waitForFrame('replay_done', (frame) => frame.type === 'replay_done');
    const replayed = client.frames.slice(0, client.frames.indexOf(done));
    expect(replayed.map((frame) => frame.type)).toContain('runtime.started');
    await restartRuntime(worker);
    await client.waitForFrame('the new runtime.started', (frame) => frame.type === 'runtime.started' && (frame.id ?? 0) > (done.data.last_id as number));
    const ids = client.events().map((frame) => frame.id ?? 0);
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    expect(new Set(ids).size).toBe(ids.length);
    for (const frame of client.events()) {
      expect(Object.keys(frame).sort()).toEqual(['data', 'id', 'repo', 'session_id', 'timestamp', 'type']);
      expect(frame.data.repo).toBe('acme/alpha');
    }
    // The same events as GET /api/events.
    const polled = await worker.api<{ events: { id: number; type: string }[] }>('GET', '/api/events');
    expect(client.events().map((frame) => [frame.id, frame.type])).toEqual(polled.body.events.map((event) => [event.id, event.type]));
  });

  it('sends a reconnecting client only what came after its since', async () => {
    const worker = await startPipelineWorker(children, await createOriginRig(temp), null);
    const first = await stream(worker, '?repo=acme-alpha');
    await first.waitForFrame('replay_done', (frame) => frame.type === 'replay_done');
    const seen = first.events().map((frame) => frame.id ?? 0);
    const last = Math.max(...seen);
    first.socket.close();
    await first.closed;
    await restartRuntime(worker);
    const again = await stream(worker, `?repo=acme/alpha&since=${last}`);
    await again.waitForFrame('the runtime.started after the reconnect', (frame) => frame.type === 'runtime.started');
    const missed = again.events().map((frame) => frame.id ?? 0);
    expect(missed.length).toBeGreaterThanOrEqual(2);
    expect(missed.every((id) => id > last)).toBe(true);
    expect(new Set([...seen, ...missed]).size).toBe(seen.length + missed.length);
  });

  it('closes with 1008 for an unknown repo or a bad since, and refuses a foreign Host', async () => {
    const worker = await startPipelineWorker(children, await createOriginRig(temp), null);
    const unknown = await stream(worker, '?repo=acme/other');
    expect(await unknown.closed).toEqual({ code: 1008, reason: expect.stringContaining('Unknown repo: acme/other') as unknown });
    const badSince = await stream(worker, '?repo=acme/alpha&since=soon');
    expect((await badSince.closed).code).toBe(1008);
    expect(await refusedStatus(`${worker.base.replace('http:', 'ws:')}/ws?repo=acme/alpha`, { host: 'rebound.example:80' })).toBe(403);
    expect(await refusedStatus(`${worker.base.replace('http:', 'ws:')}/elsewhere`, {})).toBe(404);
  });

  it('loads ws only on the first WebSocket upgrade', async () => {
    const rig = await createOriginRig(temp);
    const modules = join(rig.root, 'modules.txt');
    const worker = await startPipelineWorker(children, rig, null, { main: UNBUNDLED_MAIN, nodeArgs: ['--import', RECORDER], env: { RVBENCH_MODULES_FILE: modules } });
    expect((await worker.api('GET', '/api/runtimes')).status).toBe(200);
    const before = await readFile(modules, 'utf8');
    expect(before).toContain('/packages/worker/dist/http/worker-app.js');
    expect(before).not.toMatch(/\/node_modules\/ws\//);
    expect(before).not.toContain('/packages/worker/dist/http/event-stream.js');
    const client = await stream(worker, '?repo=acme/alpha');
    await client.waitForFrame('replay_done', (frame) => frame.type === 'replay_done');
    expect(await readFile(modules, 'utf8')).toMatch(/\/node_modules\/ws\//);
  });
});
