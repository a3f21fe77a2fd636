import { afterEach, describe, expect, it } from '@jest/globals';
import { request as httpRequest } from 'node:http';
import { SupervisorRig } from './helpers/supervisor-rig.js';
import type { RunningTestSupervisor } from './helpers/supervisor-rig.js';
import { TempDirs } from './helpers/temp-dir.js';
import { waitFor } from './helpers/wait-for.js';

// The supervisor API's documented answers (docs/API.md), each test on a
// supervisor of its own that it stops cleanly at the end (SIGTERM, exit 0).

const temp = new TempDirs();
const rig = new SupervisorRig();

afterEach(async () => {
  await rig.cleanup();
  await temp.cleanup();
});

interface RawAnswer {
  status: number;
  type: string | undefined;
  body: string;
}

/** A request with a Host header of our choosing (fetch sets its own). */
function rawRequest(supervisor: RunningTestSupervisor, method: string, path: string, host: string): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const call = httpRequest(`${supervisor.url}${path}`, { method, headers: { host, authorization: `Bearer ${supervisor.token}` } }, (response) => {
      let body = '';
      response.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, type: response.headers['content-type'], body }));
    });
    call.on('error', reject);
    call.end();
  });
}

async function runningSupervisor(): Promise<RunningTestSupervisor> {
  const supervisor = await rig.startOneRepo(await temp.make());
  await rig.waitForRepo(supervisor, 'acme/alpha', 'running', (repo) => repo.status === 'running');
  return supervisor;
}

describe('the answers of the supervisor API', () => {
  it('answers 405 "Use POST" to a GET of an action, 404 to an unknown path or repo, 409 to a disallowed action and 400 to bad bodies', async () => {
    const supervisor = await runningSupervisor();
    for (const action of ['start', 'stop', 'restart']) {
      expect(await rig.api(supervisor, 'GET', `/api/repos/acme/alpha/${action}`)).toEqual({ status: 405, body: { error: `Use POST for ${action}` } });
    }
    expect(await rig.api(supervisor, 'GET', '/api/nothing')).toEqual({ status: 404, body: { error: 'Not found: GET /api/nothing' } });
    expect(await rig.api(supervisor, 'DELETE', '/api/repos/acme/nope')).toEqual({ status: 404, body: { error: 'Unknown repo: acme/nope' } });
    expect(await rig.api(supervisor, 'POST', '/api/repos/acme/alpha/start')).toEqual({ status: 409, body: { error: 'Cannot start acme/alpha: it is running' } });
    const entry = await rig.api<{ slug: string; status: string }>(supervisor, 'GET', '/api/repos/acme/alpha');
    expect(entry.status).toBe(200);
    expect(entry.body).toEqual(expect.objectContaining({ slug: 'acme/alpha', status: 'running' }));

    const invalid = await rig.api<{ error: string; details: string[] }>(supervisor, 'POST', '/api/repos', { pth: '/tmp', autostart: 'yes' });
    expect(invalid.status).toBe(400);
    expect(invalid.body.error).toBe('Invalid body: expected {path, slug?, autostart?}');
    expect(invalid.body.details).toEqual(
      expect.arrayContaining([expect.stringMatching(/^path: /), expect.stringMatching(/^autostart: /), 'body: Unrecognized key: "pth"']),
    );
    expect(await rig.api(supervisor, 'POST', '/api/repos', undefined, { raw: '{"path": ' })).toEqual({ status: 400, body: { error: 'Invalid JSON body' } });
    expect(await rig.stop(supervisor)).toEqual({ code: 0, signal: null });
  });

  it('gives the same listing, /healthz and /metrics to a Host the fast path leaves to express (*.localhost) and to HEAD', async () => {
    const supervisor = await runningSupervisor();
    const plain = new URL(supervisor.url).host;
    for (const host of [plain, 'repovisor.localhost']) {
      const listing = await rawRequest(supervisor, 'GET', '/api/repos', host);
      expect(listing.status).toBe(200);
      expect(listing.type).toMatch(/^application\/json/);
      expect((JSON.parse(listing.body) as { repos: { slug: string }[] }).repos.map((repo) => repo.slug)).toEqual(['acme/alpha']);

      const health = await rawRequest(supervisor, 'GET', '/healthz', host);
      expect(health.status).toBe(200);
      expect(JSON.parse(health.body)).toEqual({ status: 'ok', pid: supervisor.child.pid, repos: 1 });

      const metrics = await rawRequest(supervisor, 'GET', '/metrics', host);
      expect(metrics.status).toBe(200);
      expect(metrics.type).toMatch(/^text\/plain/);
      expect(metrics.body.split('\n')).toContain('repovisor_repos{state="running"} 1');
    }
    for (const path of ['/api/repos', '/healthz', '/metrics']) {
      const head = await rawRequest(supervisor, 'HEAD', path, plain);
      expect({ path, status: head.status, body: head.body }).toEqual({ path, status: 200, body: '' });
    }
    // The health probes are counted from the supervisor's start; the first scrape shows them.
    await waitFor('a counted health probe', async () => {
      const text = (await rawRequest(supervisor, 'GET', '/metrics', plain)).body;
      return /^repovisor_protocol_requests_total\{method="health",outcome="ok"\} [1-9]/m.test(text);
    });
    expect(await rig.stop(supervisor)).toEqual({ code: 0, signal: null });
  });

  it('proxies to a running worker, refuses to remove its runtime through the proxy, and answers 503 once the repo is stopped', async () => {
    const supervisor = await runningSupervisor();
    const listed = await rig.api<{ runtimes: { slug: string; running: boolean }[] }>(supervisor, 'GET', '/api/repos/acme/alpha/runtimes');
    expect(listed.status).toBe(200);
    expect(listed.body.runtimes).toEqual([expect.objectContaining({ slug: 'acme/alpha', running: true })]);
    expect(await rig.api(supervisor, 'DELETE', '/api/repos/acme/alpha/runtimes/acme/alpha')).toEqual({
      status: 405,
      body: { error: 'Removing the runtime through the proxy would leave an empty worker; use DELETE /api/repos/acme/alpha' },
    });

    expect((await rig.api(supervisor, 'POST', '/api/repos/acme/alpha/stop')).status).toBe(200);
    await rig.waitForRepo(supervisor, 'acme/alpha', 'stopped', (repo) => repo.status === 'stopped');
    expect(await rig.api(supervisor, 'GET', '/api/repos/acme/alpha/runtimes')).toEqual({
      status: 503,
      body: { error: 'The worker of acme/alpha is not available (state: stopped); its runtimes can be reached once it is running' },
    });
    expect(await rig.stop(supervisor)).toEqual({ code: 0, signal: null });
  });
});
