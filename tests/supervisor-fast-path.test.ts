import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { request as httpRequest } from 'node:http';
import type { IncomingHttpHeaders } from 'node:http';
import { join } from 'node:path';
import { createGitRepo } from './helpers/git-repo.js';
import { SupervisorRig, testSupervisorSection } from './helpers/supervisor-rig.js';
import type { RunningTestSupervisor } from './helpers/supervisor-rig.js';
import { TempDirs } from './helpers/temp-dir.js';

const temp = new TempDirs();
const rig = new SupervisorRig();
let supervisor: RunningTestSupervisor;
let root: string;

interface RawAnswer {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

// node:http rather than fetch: the tests set Host, send bodies with GET and read raw bytes.
function raw(method: string, path: string, headers: Record<string, string> = {}, body?: string): Promise<RawAnswer> {
  const { port } = new URL(supervisor.url);
  return new Promise((resolve, reject) => {
    const call = httpRequest({ host: '127.0.0.1', port, method, path, headers, agent: false }, (response) => {
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (text += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body: text }));
    });
    call.on('error', reject);
    call.end(body);
  });
}

type Entry = Record<string, unknown>;
const withoutUptime = ({ uptime_seconds: _uptime, ...rest }: Entry): Entry => rest;

beforeAll(async () => {
  root = await temp.make();
  await createGitRepo(join(root, 'alpha'), { origin: 'https://github.com/acme/alpha.git' });
  await createGitRepo(join(root, 'beta'));
  const home = join(root, 'home');
  // Probes that cannot fail on a slow machine: the listings expect alpha running throughout.
  const file = await rig.writeConfig(root, `${testSupervisorSection(home, '', 'steady')}\nrepos:\n  - path: ./alpha\n  - path: ./beta\n    autostart: false\n`);
  supervisor = await rig.start(file, home);
  await rig.waitForRepo(supervisor, 'acme/alpha', 'running', (repo) => repo.status === 'running' && repo.last_probe !== null);
});

afterAll(async () => {
  await rig.cleanup();
  await temp.cleanup();
});

describe('GET /api/repos and GET /healthz without express', () => {
  it('answers the listing as JSON.stringify would write it, entry by entry what GET /api/repos/<slug> answers', async () => {
    const listing = await raw('GET', '/api/repos');
    expect(listing.status).toBe(200);
    expect(listing.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(Number(listing.headers['content-length'])).toBe(Buffer.byteLength(listing.body));
    const parsed = JSON.parse(listing.body) as { repos: Entry[] };
    expect(listing.body).toBe(JSON.stringify(parsed));
    expect(parsed.repos.map((repo) => repo.slug)).toEqual(['acme/alpha', 'beta']);
    for (const repo of parsed.repos) {
      const one = await raw('GET', `/api/repos/${String(repo.slug)}`);
      const single = JSON.parse(one.body) as Entry;
      // Probes may land between the two calls; the rest of the entry is the same, key order included.
      expect(Object.keys(single)).toEqual(Object.keys(repo));
      expect(withoutUptime({ ...single, last_probe: null })).toEqual(withoutUptime({ ...repo, last_probe: null }));
    }
  });

  it('gives the same bytes through express for the spellings the fast path leaves to it', async () => {
    // `beta` is stopped: nothing in its entry moves with the clock or with probes.
    const fast = (JSON.parse((await raw('GET', '/api/repos')).body) as { repos: Entry[] }).repos.find((repo) => repo.slug === 'beta');
    const viaExpress = (JSON.parse((await raw('GET', '/api/repos/')).body) as { repos: Entry[] }).repos.find((repo) => repo.slug === 'beta');
    expect(JSON.stringify(viaExpress)).toBe(JSON.stringify(fast));
    const head = await raw('HEAD', '/api/repos');
    expect(head.status).toBe(200);
    expect(head.headers['content-type']).toBe('application/json; charset=utf-8');
  });

  it('answers /healthz with the supervisor pid and the number of repos', async () => {
    const answer = await raw('GET', '/healthz');
    expect(answer.status).toBe(200);
    expect(answer.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(JSON.parse(answer.body)).toEqual({ status: 'ok', pid: supervisor.child.pid, repos: 2 });
  });

  it.each(['/api/repos', '/healthz'])('still refuses a Host that is not loopback on %s (403)', async (path) => {
    const answer = await raw('GET', path, { host: 'evil.example' });
    expect(answer.status).toBe(403);
    expect(JSON.parse(answer.body)).toEqual({ error: 'Forbidden: the Host header must name the loopback interface (localhost or 127.0.0.1)' });
  });

  it('accepts every loopback Host the guard accepts', async () => {
    for (const host of ['localhost', 'LOCALHOST:1', 'app.localhost', '127.1.2.3:80', '[::1]:8765']) {
      expect((await raw('GET', '/api/repos', { host })).status).toBe(200);
    }
  });

  it('leaves a GET with a body to the JSON body parser (400 for a body that does not parse)', async () => {
    const answer = await raw('GET', '/api/repos', { 'content-type': 'application/json', 'content-length': '8' }, '{"path":');
    expect(answer.status).toBe(400);
    expect(JSON.parse(answer.body)).toEqual({ error: 'Invalid JSON body' });
  });

  it('still needs the token and a JSON body on POST /api/repos (401, 415)', async () => {
    const noToken = await raw('POST', '/api/repos', { 'content-type': 'application/json' }, '{"path":"/tmp"}');
    expect(noToken.status).toBe(401);
    const notJson = await raw('POST', '/api/repos', { authorization: `Bearer ${supervisor.token}`, 'content-type': 'text/plain' }, '{"path":"/tmp"}');
    expect(notJson.status).toBe(415);
  });

  it('shows each change of a repo in the next listing: add, start, stop and remove', async () => {
    const slugs = async () => (JSON.parse((await raw('GET', '/api/repos')).body) as { repos: Entry[] }).repos.map((repo) => `${String(repo.slug)}:${String(repo.status)}`);
    const gamma = await createGitRepo(join(root, 'gamma'));
    expect((await rig.api(supervisor, 'POST', '/api/repos', { path: gamma, autostart: false })).status).toBe(201);
    expect(await slugs()).toEqual(['acme/alpha:running', 'beta:stopped', 'gamma:stopped']);
    expect((await rig.api(supervisor, 'POST', '/api/repos/gamma/start')).status).toBe(200);
    expect((await slugs())[2]).toMatch(/^gamma:(starting|running)$/);
    const running = await rig.waitForRepo(supervisor, 'gamma', 'running', (repo) => repo.status === 'running');
    expect(running.pid).not.toBeNull();
    expect((await rig.api(supervisor, 'POST', '/api/repos/gamma/stop')).status).toBe(200);
    const stopped = (JSON.parse((await raw('GET', '/api/repos')).body) as { repos: Entry[] }).repos[2];
    expect(stopped).toMatchObject({ slug: 'gamma', status: 'stopped', pid: null, uptime_seconds: 0 });
    expect((await rig.api(supervisor, 'DELETE', '/api/repos/gamma')).status).toBe(200);
    expect(await slugs()).toEqual(['acme/alpha:running', 'beta:stopped']);
  });

  it('writes every one of many listings asked for at once whole', async () => {
    const answers = await Promise.all(Array.from({ length: 64 }, () => raw('GET', '/api/repos')));
    for (const answer of answers) {
      expect(answer.status).toBe(200);
      expect(Number(answer.headers['content-length'])).toBe(Buffer.byteLength(answer.body));
      const parsed = JSON.parse(answer.body) as { repos: Entry[] };
      expect(answer.body).toBe(JSON.stringify(parsed));
      expect(parsed.repos.map((repo) => repo.slug)).toEqual(['acme/alpha', 'beta']);
    }
  });

  it('moves the uptime of a running repo with the clock while the rest of its entry is cached', async () => {
    const uptime = async () => ((JSON.parse((await raw('GET', '/api/repos')).body) as { repos: Entry[] }).repos[0]?.uptime_seconds as number);
    const first = await uptime();
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(await uptime()).toBeGreaterThan(first);
  });
});
