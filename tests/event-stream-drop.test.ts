import { afterEach, describe, expect, it } from '@jest/globals';
import { join } from 'node:path';
import { ChildProcesses } from './helpers/child-processes.js';
import { reposYaml } from './helpers/claims-config.js';
import { createOriginRig } from './helpers/origin-rig.js';
import { REPO_ROOT } from './helpers/paths.js';
import { endRecordedAgents, startPipelineWorker, testPipeline } from './helpers/pipeline-worker.js';
import { openStream } from './helpers/stream-client.js';
import type { StreamClient } from './helpers/stream-client.js';
import { SupervisorRig } from './helpers/supervisor-rig.js';
import { TempDirs } from './helpers/temp-dir.js';

// A client that stops reading is dropped (1013) once it leaves more than the
// limit unread (4 MiB), while a client that reads keeps receiving every frame:
// the flood agent prints 24 MiB of transcript lines, far more than the limit
// and the kernel's socket buffers together.

const FLOOD_AGENT = { command: [process.execPath, join(REPO_ROOT, 'tests/fixtures/agents/flood-agent.mjs')] };
const temp = new TempDirs();
const children = new ChildProcesses();
const rig = new SupervisorRig();
const clients: StreamClient[] = [];
const agentLogs: string[] = [];
afterEach(async () => {
  for (const client of clients.splice(0)) client.socket.terminate();
  await children.killAll();
  await rig.cleanup();
  for (const log of agentLogs.splice(0)) await endRecordedAgents(log);
  await temp.cleanup();
});

async function open(url: string): Promise<StreamClient> {
  const client = await openStream(url);
  clients.push(client);
  await client.waitForFrame('replay_done', (frame) => frame.type === 'replay_done');
  return client;
}

function transcriptLines(client: StreamClient): number {
  return client.frames.filter((frame) => frame.type === 'transcript_line').length;
}

/** Pauses `slow`, runs `flood` (which adds the flooding task), and checks that `fast` got all of it and `slow` was dropped. */
async function expectSlowDropped(fast: StreamClient, slow: StreamClient, flood: () => Promise<void>): Promise<void> {
  slow.pause();
  await flood();
  await fast.waitForFrame('the end of the flood', (frame) => frame.type === 'transcript_line' && frame.data.line === 'flood done', 120_000);
  slow.resume();
  const closed = await slow.closed;
  expect(closed.code).toBe(1013);
  expect(closed.reason).toContain('unread');
  expect(transcriptLines(slow)).toBeLessThan(transcriptLines(fast));
  expect(fast.socket.readyState).toBe(fast.socket.OPEN);
}

describe('a /ws client that stops reading', () => {
  it("is dropped by a worker, which keeps streaming to a client that reads", async () => {
    const origin = await createOriginRig(temp);
    const worker = await startPipelineWorker(children, origin, testPipeline({ agent: FLOOD_AGENT }));
    agentLogs.push(worker.agentLog);
    const url = `${worker.base.replace('http:', 'ws:')}/ws?repo=acme/alpha`;
    const [fast, slow] = [await open(url), await open(url)];
    await expectSlowDropped(fast, slow, async () => {
      expect((await worker.api('POST', '/api/tasks', { title: 'Flood', body: 'Print a lot.' })).status).toBe(201);
    });
  });

  it('is dropped by the supervisor, which keeps streaming to a client that reads', async () => {
    const origin = await createOriginRig(temp);
    const root = await temp.make();
    const home = join(root, 'home');
    const file = await rig.writeConfig(root, reposYaml(home, { pipeline: { agent: FLOOD_AGENT, poll_interval_ms: 200 } }, [{ path: origin.repo, slug: 'acme/alpha', pipeline: { enabled: true } }]));
    const supervisor = await rig.start(file, home);
    await rig.waitForRepo(supervisor, 'acme/alpha', 'running', (repo) => repo.status === 'running');
    const url = `${supervisor.url.replace('http:', 'ws:')}/ws?repo=acme/alpha`;
    const [fast, slow] = [await open(url), await open(`${supervisor.url.replace('http:', 'ws:')}/ws?repo=__all__`)];
    await expectSlowDropped(fast, slow, async () => {
      expect((await rig.api(supervisor, 'POST', '/api/repos/acme/alpha/tasks', { title: 'Flood', body: 'Print a lot.' })).status).toBe(201);
    });
  });
});
