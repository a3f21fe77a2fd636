import { afterEach, describe, expect, it } from '@jest/globals';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startPipelineSupervisor, taskInHitl } from './helpers/pipeline-supervisor.js';
import { REPO_ROOT } from './helpers/paths.js';
import { openStream, refusedStatus } from './helpers/stream-client.js';
import type { StreamClient, TestFrame } from './helpers/stream-client.js';
import { SupervisorRig } from './helpers/supervisor-rig.js';
import type { RunningTestSupervisor } from './helpers/supervisor-rig.js';
import { TempDirs } from './helpers/temp-dir.js';

// The supervisor's `/ws`: one repo's stream proxied from its worker, or every
// repo's fanned in (`__all__`), each frame tagged with its repo, with
// `repo_state` frames on lifecycle changes, against real workers.

const temp = new TempDirs();
const rig = new SupervisorRig();
const clients: StreamClient[] = [];
afterEach(async () => {
  for (const client of clients.splice(0)) client.socket.terminate();
  await rig.cleanup();
  await temp.cleanup();
});

async function stream(supervisor: RunningTestSupervisor, query: string): Promise<StreamClient> {
  const client = await openStream(`${supervisor.url.replace('http:', 'ws:')}/ws${query}`);
  clients.push(client);
  return client;
}

function replayDone(client: StreamClient): Promise<TestFrame> {
  return client.waitForFrame('replay_done', (frame) => frame.type === 'replay_done');
}

function keysOf(frames: TestFrame[]): string[] {
  return frames.filter((frame) => frame.id !== null).map((frame) => `${frame.repo}#${frame.id}`);
}

describe("the supervisor's /ws", () => {
  it('fans in every repo for __all__, tags each frame, and sends repo_state frames as a SIGKILLed worker restarts', async () => {
    const supervisor = await startPipelineSupervisor(rig, temp);
    const client = await stream(supervisor, '?repo=__all__');
    const done = await replayDone(client);
    expect(done.repo).toBe('__all__');
    const states = client.frames.slice(0, 3);
    expect(states.map((frame) => [frame.type, frame.repo, frame.data.status])).toEqual([
      ['repo_state', 'acme/alpha', 'running'],
      ['repo_state', 'solo', 'running'],
      ['repo_state', 'acme/idle', 'stopped'],
    ]);
    const lastIds = done.data.last_ids as Record<string, number>;
    expect(Object.keys(lastIds).sort()).toEqual(['acme/alpha', 'solo']);
    const solo = (await rig.repos(supervisor)).find((repo) => repo.slug === 'solo');
    process.kill(solo?.pid ?? 0, 'SIGKILL');
    await client.waitForFrame('solo restarted', (frame) => frame.type === 'repo_state' && frame.repo === 'solo' && frame.data.restarts === 1 && frame.data.status === 'running');
    expect(client.frames.some((frame) => frame.type === 'repo_state' && frame.repo === 'solo' && frame.data.status === 'backoff')).toBe(true);
    await client.waitForFrame("the new solo worker's runtime.started", (frame) => frame.repo === 'solo' && frame.type === 'runtime.started' && (frame.id ?? 0) > (lastIds.solo ?? 0));
    for (const frame of client.frames) expect(frame.data.repo).toBe(frame.repo);
    const keys = keysOf(client.frames);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it("gives a reconnecting client what it missed, for one repo (since=<id>) and for __all__ (since=<slug>:<id>,…), nothing twice", async () => {
    const supervisor = await startPipelineSupervisor(rig, temp);
    const first = await stream(supervisor, '?repo=acme/alpha');
    await replayDone(first);
    expect(first.events().every((frame) => frame.repo === 'acme/alpha')).toBe(true);
    const all = await stream(supervisor, '?repo=__all__');
    await replayDone(all);
    first.socket.close();
    all.socket.close();
    await Promise.all([first.closed, all.closed]);
    // What each client saw last, live frames after the replay included: a reconnect asks for what came after it.
    const last = Math.max(0, ...keysOf(first.frames).map((key) => Number(key.split('#')[1])));
    const allLast: Record<string, number> = {};
    for (const frame of all.frames) if (frame.id !== null) allLast[frame.repo] = Math.max(allLast[frame.repo] ?? 0, frame.id);

    const task = await taskInHitl(rig, supervisor, 'Stream it');
    const again = await stream(supervisor, `?repo=acme/alpha&since=${last}`);
    await again.waitForFrame('the escalation after the reconnect', (frame) => frame.type === 'hitl_escalation' && frame.data.issue === task.id);
    expect(again.events().every((frame) => (frame.id ?? 0) > last)).toBe(true);
    const keys = [...keysOf(first.frames), ...keysOf(again.frames)];
    expect(new Set(keys).size).toBe(keys.length);

    const since = Object.entries(allLast).map(([slug, id]) => `${slug}:${id}`).join(',');
    const allAgain = await stream(supervisor, `?repo=__all__&since=${encodeURIComponent(since)}`);
    await replayDone(allAgain);
    const missed = allAgain.events();
    expect(missed.some((frame) => frame.type === 'hitl_escalation' && frame.repo === 'acme/alpha')).toBe(true);
    expect(missed.every((frame) => (frame.id ?? 0) > (allLast[frame.repo] ?? 0))).toBe(true);
    const allKeys = [...keysOf(all.frames), ...keysOf(allAgain.frames)];
    expect(new Set(allKeys).size).toBe(allKeys.length);
  });

  it('closes with 1008 for an unknown or missing repo, and refuses a foreign Host', async () => {
    const supervisor = await startPipelineSupervisor(rig, temp);
    const unknown = await stream(supervisor, '?repo=acme/nowhere');
    expect(await unknown.closed).toEqual({ code: 1008, reason: expect.stringContaining('Unknown repo: acme/nowhere') as unknown });
    expect((await (await stream(supervisor, '')).closed).code).toBe(1008);
    expect((await (await stream(supervisor, '?repo=solo&since=x:y')).closed).code).toBe(1008);
    const ws = `${supervisor.url.replace('http:', 'ws:')}/ws?repo=solo`;
    expect(await refusedStatus(ws, { host: 'rebound.example:80' })).toBe(403);
  });

  it('loads ws on the first upgrade only', async () => {
    const root = await temp.make();
    const modules = join(root, 'modules.txt');
    const supervisor = await rig.startOneRepo(root, {
      main: join(REPO_ROOT, 'packages/supervisor/dist/cli/main.js'),
      nodeArgs: ['--import', join(REPO_ROOT, 'scripts/bench/fixtures/count-modules.mjs')],
      env: { RVBENCH_MODULES_FILE: modules },
      probes: 'steady',
    });
    await rig.waitForRepo(supervisor, 'acme/alpha', 'running', (repo) => repo.status === 'running');
    expect((await rig.api(supervisor, 'GET', '/api/repos/acme/alpha/runtimes')).status).toBe(200);
    const before = await readFile(modules, 'utf8');
    expect(before).toContain('/packages/supervisor/dist/http/supervisor-app.js');
    expect(before).not.toMatch(/\/node_modules\/ws\//);
    const client = await stream(supervisor, '?repo=acme/alpha');
    await replayDone(client);
    expect(await readFile(modules, 'utf8')).toMatch(/\/node_modules\/ws\//);
  });
});
