import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdir, readFile, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { request as httpRequest } from 'node:http';
import { createGitRepo } from './helpers/git-repo.js';
import { SupervisorRig, testSupervisorSection } from './helpers/supervisor-rig.js';
import type { RunningTestSupervisor } from './helpers/supervisor-rig.js';
import { TempDirs } from './helpers/temp-dir.js';

const temp = new TempDirs();
const rig = new SupervisorRig();
let supervisor: RunningTestSupervisor;
let root: string;
let home: string;

beforeAll(async () => {
  root = await temp.make();
  await createGitRepo(join(root, 'alpha'), { origin: 'https://github.com/acme/alpha.git' });
  home = join(root, 'home');
  const file = await rig.writeConfig(root, `${testSupervisorSection(home)}\nrepos:\n  - path: ./alpha\n    autostart: false\n`);
  supervisor = await rig.start(file, home);
});

afterAll(async () => {
  await rig.cleanup();
  await temp.cleanup();
});

async function stateSlugs(): Promise<string[]> {
  const state = JSON.parse(await readFile(join(home, 'supervisor-state.json'), 'utf8')) as { repos: { slug: string }[] };
  return state.repos.map((repo) => repo.slug);
}

describe('POST /api/repos refusals', () => {
  it.each([
    ['a body that is not an object', '[1, 2]', /Invalid body/],
    ['a missing path', '{}', /Invalid body/],
    ['a path of the wrong type', '{"path": 42}', /Invalid body/],
    ['an extra field', '{"path": "/tmp", "colour": "red"}', /Invalid body/],
    ['autostart of the wrong type', '{"path": "/tmp", "autostart": "yes"}', /Invalid body/],
    ['JSON that does not parse', '{"path": ', /Invalid JSON body/],
  ])('answers 400 for %s', async (_name, raw, error) => {
    const response = await rig.api<{ error: string; details?: string[] }>(supervisor, 'POST', '/api/repos', undefined, { raw });
    expect(response.status).toBe(400);
    expect(response.body.error).toMatch(error);
  });

  it('lists which field failed in details', async () => {
    const response = await rig.api<{ details: string[] }>(supervisor, 'POST', '/api/repos', { path: 7, slug: '' });
    expect(response.body.details.join('\n')).toMatch(/path: /);
    expect(response.body.details.join('\n')).toMatch(/slug: /);
  });

  it('answers 400 for a path that does not exist', async () => {
    const response = await rig.api<{ error: string }>(supervisor, 'POST', '/api/repos', { path: join(root, 'nowhere') });
    expect(response.status).toBe(400);
    expect(response.body.error).toMatch(/does not exist/);
  });

  it('answers 400 for a folder that is not a git repository', async () => {
    const plain = join(root, 'plain');
    await mkdir(plain, { recursive: true });
    const response = await rig.api<{ error: string }>(supervisor, 'POST', '/api/repos', { path: plain });
    expect(response.status).toBe(400);
    expect(response.body.error).toMatch(/not a git repository/);
  });

  it.each(['../evil', 'a/b/c', '.hidden', 'acme/al pha', 'acme/x\u0000y'])('answers 400 for the invalid slug %j', async (slug) => {
    const repo = await createGitRepo(join(root, `bad-slug-${Math.random().toString(16).slice(2)}`));
    const response = await rig.api<{ error: string }>(supervisor, 'POST', '/api/repos', { path: repo, slug });
    expect(response.status).toBe(400);
    expect(response.body.error).toMatch(/Invalid slug|invalid slug/);
  });

  it('answers 409 for a slug already managed, in either spelling', async () => {
    const other = await createGitRepo(join(root, 'other'));
    for (const slug of ['acme/alpha', 'acme-alpha', 'ACME/alpha']) {
      const response = await rig.api<{ error: string }>(supervisor, 'POST', '/api/repos', { path: other, slug });
      expect(response.status).toBe(409);
      expect(response.body.error).toMatch(/already managed/);
    }
  });

  it('answers 409 for a path already managed, also through a symlink', async () => {
    const link = join(root, 'alpha-link');
    await symlink(join(root, 'alpha'), link);
    for (const path of [join(root, 'alpha'), link, `${join(root, 'alpha')}/`]) {
      const response = await rig.api<{ error: string }>(supervisor, 'POST', '/api/repos', { path, slug: 'fresh/name' });
      expect(response.status).toBe(409);
      expect(response.body.error).toMatch(/already managed as "acme\/alpha"/);
    }
  });

  it('keeps the stored registry intact after every refusal', async () => {
    // Each kind of refusal above, made here too: this test stands alone.
    const stored = await readFile(join(home, 'supervisor-state.json'), 'utf8');
    const plain = join(root, 'plain-intact');
    await mkdir(plain, { recursive: true });
    const fresh = await createGitRepo(join(root, 'intact'));
    const refusals: [unknown, string | undefined, number][] = [
      [undefined, '{"path": ', 400],
      [{ path: join(root, 'nowhere') }, undefined, 400],
      [{ path: plain }, undefined, 400],
      [{ path: fresh, slug: '../evil' }, undefined, 400],
      [{ path: fresh, slug: 'acme/alpha' }, undefined, 409],
      [{ path: join(root, 'alpha'), slug: 'fresh/name' }, undefined, 409],
    ];
    for (const [body, raw, status] of refusals) {
      expect((await rig.api(supervisor, 'POST', '/api/repos', body, raw === undefined ? {} : { raw })).status).toBe(status);
    }
    expect(await readFile(join(home, 'supervisor-state.json'), 'utf8')).toBe(stored);
    expect(await stateSlugs()).toEqual(['acme/alpha']);
    expect((await rig.repos(supervisor)).map((repo) => repo.slug)).toEqual(['acme/alpha']);
  });
});

describe('guards of the supervisor API', () => {
  it('answers 401 to mutating calls without the API token, 404 to unknown repos and 409 to disallowed actions', async () => {
    expect((await rig.api(supervisor, 'POST', '/api/repos', { path: root }, { token: false })).status).toBe(401);
    expect((await rig.api(supervisor, 'DELETE', '/api/repos/acme/alpha', undefined, { token: false })).status).toBe(401);
    expect((await rig.api(supervisor, 'POST', '/api/repos/acme/alpha/start', undefined, { headers: { authorization: 'Bearer nope' }, token: false })).status).toBe(401);
    expect((await rig.api(supervisor, 'GET', '/api/repos/acme/nope')).status).toBe(404);
    expect((await rig.api(supervisor, 'POST', '/api/repos/acme/nope/start')).status).toBe(404);
    expect((await rig.api(supervisor, 'POST', '/api/repos/acme/alpha/stop')).status).toBe(409);
    expect((await rig.api(supervisor, 'GET', '/api/repos/acme/alpha/runtimes')).status).toBe(503);
  });

  it('answers 415 to a body that is not JSON and 413 to a body over the limit', async () => {
    const text = await rig.api(supervisor, 'POST', '/api/repos', undefined, { raw: 'path=/tmp', headers: { 'content-type': 'text/plain' } });
    expect(text.status).toBe(415);
    const huge = await rig.api(supervisor, 'POST', '/api/repos', { path: 'x'.repeat(200_000) });
    expect(huge.status).toBe(413);
  });

  it('answers 403 to a Host header that is not a loopback name', async () => {
    const status = await new Promise<number>((resolve, reject) => {
      const call = httpRequest(`${supervisor.url}/api/repos`, { headers: { host: 'attacker.example' } }, (response) => {
        response.resume();
        resolve(response.statusCode ?? 0);
      });
      call.on('error', reject);
      call.end();
    });
    expect(status).toBe(403);
  });

  it('serves /healthz and Prometheus /metrics without a token', async () => {
    const health = await fetch(`${supervisor.url}/healthz`);
    expect(health.status).toBe(200);
    const metrics = await fetch(`${supervisor.url}/metrics`);
    expect(metrics.headers.get('content-type')).toMatch(/text\/plain/);
    const text = await metrics.text();
    for (const name of ['repovisor_repos', 'repovisor_worker_restarts_total', 'repovisor_probe_latency_seconds', 'repovisor_protocol_requests_total']) {
      expect(text).toContain(`# TYPE ${name}`);
    }
  });
});

describe('an invalid repos.yaml', () => {
  it('is refused before anything starts, with every problem listed by its path in the file', async () => {
    const folder = await temp.make();
    await createGitRepo(join(folder, 'good'));
    await mkdir(join(folder, 'plain'));
    const otherHome = join(folder, 'home');
    const file = await rig.writeConfig(
      folder,
      [
        'supervisor:',
        `  home: ${JSON.stringify(otherHome)}`,
        '  http: {port: 99999}',
        '  colour: blue',
        'repos:',
        '  - path: ./good',
        '  - path: ./missing',
        '  - path: ./plain',
        '  - path: ./good',
        '    slug: ../bad',
      ].join('\n'),
    );
    const result = await rig.cli(['start', file, '--no-pretty']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`Invalid configuration ${file}`);
    for (const problem of ['supervisor.http.port', 'supervisor.colour', 'repos[1].path', 'repos[2].path', 'repos[3].slug']) {
      expect(result.stderr).toContain(problem);
    }
    await expect(readFile(join(otherHome, 'supervisor.pid'), 'utf8')).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
