import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { preload, startWithRepos } from './helpers/claims-config.js';
import { hasUnreadBytesAt } from './helpers/process-facts.js';
import { REPO_ROOT } from './helpers/paths.js';
import { SupervisorRig } from './helpers/supervisor-rig.js';
import type { ApiRepo, RunningTestSupervisor } from './helpers/supervisor-rig.js';
import { TempDirs } from './helpers/temp-dir.js';
import { waitFor } from './helpers/wait-for.js';

// The proxy to a worker's routes, here /api/runtimes (docs/API.md): what it forwards, what
// it passes back, and its own 502. The worker records the requests it gets.
const temp = new TempDirs();
const rig = new SupervisorRig();
let supervisor: RunningTestSupervisor;
let headersFile: string;
let running: ApiRepo & { http_port: number };

interface Recorded {
  method: string;
  url: string;
  headers: Record<string, string>;
}

beforeAll(async () => {
  const root = await temp.make();
  headersFile = join(root, 'requests.jsonl');
  const env = { NODE_OPTIONS: preload(join(REPO_ROOT, 'tests/fixtures/record-request-headers.cjs')), RECORD_HEADERS_FILE: headersFile };
  supervisor = await startWithRepos(rig, root, {}, [{ slug: 'acme/alpha', env }]);
  running = (await rig.waitForRepo(supervisor, 'acme/alpha', 'running', (repo) => repo.status === 'running')) as ApiRepo & { http_port: number };
});

afterAll(async () => {
  await rig.cleanup();
  await temp.cleanup();
});

async function recorded(): Promise<Recorded[]> {
  const text = await readFile(headersFile, 'utf8').catch(() => '');
  return text
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as Recorded);
}

describe('the worker proxy, on /api/runtimes', () => {
  it('does not forward cookies, and gives the worker its own token instead of the API token', async () => {
    const response = await rig.api<{ runtimes: { slug: string }[] }>(supervisor, 'GET', '/api/repos/acme/alpha/runtimes?probe=cookie', undefined, {
      headers: { cookie: 'session=secret-cookie' },
    });
    expect(response.status).toBe(200);
    expect(response.body.runtimes.map((runtime) => runtime.slug)).toEqual(['acme/alpha']);
    const request = (await recorded()).find((entry) => entry.url === '/api/runtimes?probe=cookie');
    expect(request).toBeDefined();
    expect(request?.headers.cookie).toBeUndefined();
    expect(request?.headers.authorization).toMatch(/^Bearer [0-9a-f]+$/);
    expect(request?.headers.authorization).not.toBe(`Bearer ${supervisor.token}`);
  });

  it('passes the worker\'s 405 for PUT back unchanged', async () => {
    const response = await rig.api(supervisor, 'PUT', '/api/repos/acme/alpha/runtimes/acme/alpha', {});
    expect(response).toEqual({ status: 405, body: { error: 'Method PUT is not allowed on /api/runtimes/acme/alpha' } });
  });

  it('answers 502 "Bad gateway" when the running worker does not answer', async () => {
    // Frozen, the worker never reads the request the kernel queues for it; once the
    // request waits there, the worker is killed, which resets the connection.
    const pid = running.pid ?? 0;
    process.kill(pid, 'SIGSTOP');
    const answer = rig.api(supervisor, 'GET', '/api/repos/acme/alpha/runtimes');
    await waitFor('the proxied request to reach the frozen worker', () => hasUnreadBytesAt(running.http_port));
    process.kill(pid, 'SIGKILL');
    const response = await answer;
    expect(response.status).toBe(502);
    expect(response.body).toEqual({ error: expect.stringMatching(/^Bad gateway: the worker of acme\/alpha did not answer \(.+\)$/) });
  });
});
