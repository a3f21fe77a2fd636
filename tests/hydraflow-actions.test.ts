import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdir, readFile, realpath, stat } from 'node:fs/promises';
import { connect } from 'node:net';
import { join } from 'node:path';
import { isAlive } from './helpers/child-processes.js';
import { createGitRepo } from './helpers/git-repo.js';
import { SupervisorRig, testSupervisorSection } from './helpers/supervisor-rig.js';
import type { ApiRepo, RunningTestSupervisor } from './helpers/supervisor-rig.js';
import { TempDirs } from './helpers/temp-dir.js';

/** A repo as GET /api/repos shows it, with the fields these tests compare. */
interface FullApiRepo extends ApiRepo {
  http_port: number | null;
  log_file: string;
  autostart: boolean;
}

type Answer = Record<string, unknown>;

const temp = new TempDirs();
const rig = new SupervisorRig();
let root: string;
let home: string;
let configFile: string;
let supervisor: RunningTestSupervisor;

// One supervisor for the file, with acme/alpha; every other repo belongs to the one test that makes it, so
// each test stands alone and asserts only about what it changed.
beforeAll(async () => {
  root = await realpath(await temp.make());
  await createGitRepo(join(root, 'alpha'));
  await mkdir(join(root, 'not-a-repo'));
  home = join(root, 'home');
  // A short hello timeout, so that silent clients are answered quickly.
  configFile = await rig.writeConfig(root, `${testSupervisorSection(home, '  control: {hello_timeout_ms: 1500}', 'steady')}\nrepos:\n  - path: ./alpha\n    slug: acme/alpha\n`);
  supervisor = await rig.start(configFile, home);
  await rig.waitForRepo(supervisor, 'acme/alpha', 'running', (repo) => repo.status === 'running');
});

afterAll(async () => {
  await rig.cleanup();
  await temp.cleanup();
});

/** The control port, read the way HydraFlow's client reads it. */
async function controlPort(supervisorHome: string): Promise<number> {
  return Number((await readFile(join(supervisorHome, 'supervisor-port'), 'utf8')).trim());
}

/**
 * Writes `payload` on a fresh connection and resolves with the first line that
 * comes back (then closes), or with no line if the supervisor closes first.
 * With `end`, the client closes its sending side after the payload.
 */
function exchange(port: number, payload: string, end = false): Promise<{ line: string | undefined }> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    let received = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      received += chunk;
      const newline = received.indexOf('\n');
      if (newline === -1) return;
      socket.destroy();
      resolve({ line: received.slice(0, newline) });
    });
    // A reset counts as closing.
    socket.on('error', () => undefined);
    socket.on('close', () => resolve({ line: undefined }));
    if (end) socket.end(payload);
    else if (payload !== '') socket.write(payload);
  });
}

/** Writes `payload` on a fresh connection and resolves with every line that comes back until the supervisor closes it. */
function conversation(port: number, payload: string): Promise<unknown[]> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    let received = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (received += chunk));
    socket.on('error', () => undefined);
    socket.on('close', () => resolve(received.split('\n').filter((line) => line !== '').map((line) => JSON.parse(line) as unknown)));
    socket.write(payload);
  });
}

/** A client as HydraFlow's `hf` is: one connection per request, one JSON line out, one line read back, close. */
async function hf(request: unknown, supervisorHome = home): Promise<Answer> {
  const { line } = await exchange(await controlPort(supervisorHome), `${JSON.stringify(request)}\n`);
  if (line === undefined) throw new Error(`the supervisor closed the connection without answering ${JSON.stringify(request)}`);
  return JSON.parse(line) as Answer;
}

async function apiRepos(target = supervisor): Promise<FullApiRepo[]> {
  return (await rig.api<{ repos: FullApiRepo[] }>(target, 'GET', '/api/repos')).body.repos;
}

/** A new git repository `name` under the test root (`origin`: the URL of its origin remote). */
function newRepo(name: string, origin?: string): Promise<string> {
  return createGitRepo(join(root, name), origin === undefined ? {} : { origin });
}

async function storedSlugs(): Promise<string[]> {
  const state = JSON.parse(await readFile(join(home, 'supervisor-state.json'), 'utf8')) as { repos: { slug: string }[] };
  return state.repos.map((repo) => repo.slug);
}

describe('HydraFlow CLI actions on the control port', () => {
  it('answers ping', async () => {
    expect(await hf({ action: 'ping' })).toEqual({ status: 'ok' });
  });

  it('lists repos with the worker port, dashboard URL, log file and running flag', async () => {
    const alpha = await rig.waitForRepo(supervisor, 'acme/alpha', 'serving HTTP', (repo) => repo.status === 'running' && (repo as FullApiRepo).http_port !== null);
    const port = (alpha as FullApiRepo).http_port;
    const listed = await hf({ action: 'list_repos' });
    expect(listed.status).toBe('ok');
    expect((listed.repos as Answer[]).find((repo) => repo.slug === 'acme/alpha')).toEqual({
      path: join(root, 'alpha'),
      slug: 'acme/alpha',
      port,
      dashboard_url: `http://localhost:${port}`,
      log_file: join(home, 'logs', 'acme-alpha.log'),
      running: true,
    });
    // The port is the worker's own HTTP server.
    expect((await fetch(`http://127.0.0.1:${port}/api/runtimes`)).status).toBe(200);
  });

  it('refuses add_repo, register_repo and remove_repo without the API token or with a wrong one', async () => {
    const path = await newRepo('refused');
    const [listedBefore, storedBefore] = [(await apiRepos()).map((repo) => repo.slug), await storedSlugs()];
    expect(listedBefore).toContain('acme/alpha');
    const requests = [
      { action: 'add_repo', path },
      { action: 'register_repo', path },
      { action: 'remove_repo', slug: 'acme/alpha' },
    ];
    for (const request of requests) {
      for (const token of [undefined, null, 'wrong-token', supervisor.token.slice(0, -1), 42]) {
        const answer = await hf({ ...request, token });
        expect(answer).toEqual({ status: 'error', error: expect.stringMatching(/^Unauthorized: /) });
        expect(JSON.stringify(answer)).not.toContain(supervisor.token);
      }
    }
    // Refused before anything else: a missing path is not even looked at.
    expect(await hf({ action: 'add_repo', path: join(root, 'missing') })).toMatchObject({ error: expect.stringMatching(/^Unauthorized: /) });
    expect((await apiRepos()).map((repo) => repo.slug)).toEqual(listedBefore);
    expect(await storedSlugs()).toEqual(storedBefore);
  });

  it('answers add_repo of a missing path with "Repo path not found"', async () => {
    const path = join(root, 'missing');
    expect(await hf({ action: 'add_repo', path, token: supervisor.token })).toEqual({ status: 'error', error: `Repo path not found: ${path}` });
  });

  it('refuses what POST /api/repos refuses, with the reason', async () => {
    const token = supervisor.token;
    const epsilon = await newRepo('refused-epsilon');
    const listedBefore = (await apiRepos()).map((repo) => repo.slug);
    const notRepo = await hf({ action: 'add_repo', path: join(root, 'not-a-repo'), token });
    expect(notRepo).toEqual({ status: 'error', error: expect.stringContaining('is not a git repository') });
    const badSlug = await hf({ action: 'register_repo', path: epsilon, repo_slug: '../escape', token });
    expect(badSlug).toEqual({ status: 'error', error: expect.stringContaining('Invalid slug "../escape"') });
    const relative = await hf({ action: 'add_repo', path: 'epsilon', token });
    expect(relative).toEqual({ status: 'error', error: expect.stringContaining('path must be an absolute path') });
    const noPath = await hf({ action: 'add_repo', token });
    expect(noPath).toEqual({ status: 'error', error: expect.stringContaining('path must be a string') });
    const wrongType = await hf({ action: 'register_repo', path: epsilon, repo_slug: 7, token });
    expect(wrongType).toEqual({ status: 'error', error: expect.stringContaining('repo_slug must be a string') });
    expect((await apiRepos()).map((repo) => repo.slug)).toEqual(listedBefore);
  });

  it('add_repo registers, persists and starts a new repo, which GET /api/repos lists', async () => {
    const beta = await newRepo('beta', 'git@github.com:acme/beta.git');
    const storedBefore = await storedSlugs();
    const answer = await hf({ action: 'add_repo', path: beta, repo_slug: null, token: supervisor.token });
    expect(answer).toMatchObject({ status: 'ok', slug: 'acme/beta', log_file: join(home, 'logs', 'acme-beta.log'), started: true });
    expect(Object.keys(answer).sort()).toEqual(['dashboard_url', 'log_file', 'port', 'slug', 'started', 'status']);
    expect(answer.dashboard_url).toBe(answer.port === null ? null : `http://localhost:${answer.port as number}`);
    // Persisted before the answer.
    expect(await storedSlugs()).toEqual([...storedBefore, 'acme/beta']);
    const listed = (await apiRepos()).find((repo) => repo.slug === 'acme/beta');
    expect(listed).toMatchObject({ path: beta, autostart: true });
    await rig.waitForRepo(supervisor, 'acme/beta', 'running', (repo) => repo.status === 'running' && repo.last_probe?.ok === true);
  });

  it('add_repo of a running repo finds it: started is false, with its port', async () => {
    const path = await newRepo('theta', 'git@github.com:acme/theta.git');
    expect(await hf({ action: 'add_repo', path, token: supervisor.token })).toMatchObject({ status: 'ok', slug: 'acme/theta', started: true });
    const theta = (await rig.waitForRepo(supervisor, 'acme/theta', 'serving HTTP', (repo) => repo.status === 'running' && (repo as FullApiRepo).http_port !== null)) as FullApiRepo;
    const again = await hf({ action: 'add_repo', path, token: supervisor.token });
    expect(again).toEqual({
      status: 'ok',
      slug: 'acme/theta',
      port: theta.http_port,
      dashboard_url: `http://localhost:${theta.http_port}`,
      log_file: join(home, 'logs', 'acme-theta.log'),
      started: false,
    });
    // Probes that cannot fail (the rig's `steady`): the same worker, never restarted.
    expect((await apiRepos()).find((repo) => repo.slug === 'acme/theta')).toMatchObject({ pid: theta.pid, restarts: 0 });
    const otherSlug = await hf({ action: 'add_repo', path, repo_slug: 'acme/other', token: supervisor.token });
    expect(otherSlug).toEqual({ status: 'error', error: `The path ${path} is already managed as "acme/theta", not "acme/other"` });
  });

  it('register_repo registers without starting, and add_repo starts it later', async () => {
    const path = await newRepo('gamma');
    expect(await hf({ action: 'register_repo', path, token: supervisor.token })).toEqual({ status: 'ok', slug: 'gamma', path });
    expect(await storedSlugs()).toContain('gamma');
    expect((await apiRepos()).find((repo) => repo.slug === 'gamma')).toMatchObject({ status: 'stopped', pid: null, autostart: false });
    const listed = (await hf({ action: 'list_repos' })).repos as Answer[];
    expect(listed.find((repo) => repo.slug === 'gamma')).toEqual({
      path,
      slug: 'gamma',
      port: null,
      dashboard_url: null,
      log_file: join(home, 'logs', 'gamma.log'),
      running: false,
    });
    // Registering again is answered the same way.
    expect(await hf({ action: 'register_repo', path, token: supervisor.token })).toEqual({ status: 'ok', slug: 'gamma', path });

    const started = await hf({ action: 'add_repo', path, token: supervisor.token });
    expect(started).toMatchObject({ status: 'ok', slug: 'gamma', started: true });
    await rig.waitForRepo(supervisor, 'gamma', 'running', (repo) => repo.status === 'running');
  });

  it('register_repo takes a repo_slug', async () => {
    const path = await newRepo('epsilon');
    expect(await hf({ action: 'register_repo', path, repo_slug: 'team/eps', token: supervisor.token })).toEqual({ status: 'ok', slug: 'team/eps', path });
    expect((await apiRepos()).find((repo) => repo.slug === 'team/eps')).toMatchObject({ path, status: 'stopped' });
  });

  it('remove_repo needs a path or a slug, and says when no repo matches', async () => {
    const token = supervisor.token;
    expect(await hf({ action: 'remove_repo', token })).toEqual({ status: 'error', error: 'Missing path or slug' });
    expect(await hf({ action: 'remove_repo', path: null, slug: null, token })).toEqual({ status: 'error', error: 'Missing path or slug' });
    expect(await hf({ action: 'remove_repo', slug: 'nobody/here', token })).toEqual({ status: 'error', error: 'Repo not found' });
    expect(await hf({ action: 'remove_repo', path: join(root, 'missing'), token })).toEqual({ status: 'error', error: 'Repo not found' });
  });

  it('remove_repo stops and forgets a repo, by slug or by path', async () => {
    const token = supervisor.token;
    const [listedBefore, storedBefore] = [(await apiRepos()).map((repo) => repo.slug), await storedSlugs()];
    const running = await newRepo('iota');
    const registered = await newRepo('kappa');
    expect(await hf({ action: 'add_repo', path: running, token })).toMatchObject({ status: 'ok', slug: 'iota', started: true });
    expect(await hf({ action: 'register_repo', path: registered, repo_slug: 'team/kappa', token })).toMatchObject({ status: 'ok', slug: 'team/kappa' });
    const iota = await rig.waitForRepo(supervisor, 'iota', 'running', (repo) => repo.status === 'running');
    expect(await hf({ action: 'remove_repo', path: running, token })).toEqual({ status: 'ok' });
    expect(await hf({ action: 'remove_repo', slug: 'team/kappa', token })).toEqual({ status: 'ok' });
    expect((await apiRepos()).map((repo) => repo.slug)).toEqual(listedBefore);
    expect(await storedSlugs()).toEqual(storedBefore);
    // Stopped before the answer.
    expect(isAlive(iota.pid ?? 0)).toBe(false);
    expect(await hf({ action: 'remove_repo', slug: 'iota', token })).toEqual({ status: 'error', error: 'Repo not found' });
  });

  it('answers anything else with "unknown action"', async () => {
    for (const action of ['reboot', 42, null, '', 'PING']) {
      expect(await hf({ action, token: supervisor.token })).toEqual({ status: 'error', error: 'unknown action' });
    }
    expect(await hf({ list: 'repos' })).toEqual({ status: 'error', error: 'unknown action' });
  });

  it('list_repos shows a repo added by POST /api/repos', async () => {
    const delta = await newRepo('delta');
    const created = await rig.api(supervisor, 'POST', '/api/repos', { path: delta });
    expect(created.status).toBe(201);
    const listed = (await hf({ action: 'list_repos' })).repos as Answer[];
    expect(listed.map((repo) => repo.slug)).toEqual((await apiRepos()).map((repo) => repo.slug));
    expect(listed.find((repo) => repo.slug === 'delta')).toMatchObject({ path: delta, log_file: join(home, 'logs', 'delta.log') });
    await rig.waitForRepo(supervisor, 'delta', 'running', (repo) => repo.status === 'running');
  });
});

describe('clients that misbehave', () => {
  it('get an error line or are closed, and never disturb a running worker', async () => {
    const before = await rig.waitForRepo(supervisor, 'acme/alpha', 'running', (repo) => repo.status === 'running');
    const port = await controlPort(home);
    const [nothing, halfLine, garbage, closesAtOnce, halfThenEnd, noNewline] = await Promise.all([
      exchange(port, ''),
      exchange(port, '{"action":"li'),
      exchange(port, 'this is not json\n'),
      exchange(port, '', true),
      exchange(port, '{"action":"li', true),
      exchange(port, '{"action":"ping"}', true),
    ]);
    const noiseEnded = Date.now();
    expect(JSON.parse(nothing.line ?? '')).toEqual({ status: 'error', error: expect.stringMatching(/^timeout: /) });
    expect(JSON.parse(halfLine.line ?? '')).toEqual({ status: 'error', error: expect.stringMatching(/^timeout: /) });
    expect(JSON.parse(garbage.line ?? '')).toMatchObject({ status: 'error', error: expect.stringMatching(/^invalid JSON: /) });
    expect(closesAtOnce.line).toBeUndefined();
    expect(JSON.parse(halfThenEnd.line ?? '')).toMatchObject({ status: 'error', error: expect.stringMatching(/^invalid JSON: /) });
    // A last line cut by the end of the stream instead of a newline is still answered.
    expect(JSON.parse(noNewline.line ?? '')).toEqual({ status: 'ok' });

    const after = await rig.waitForRepo(supervisor, 'acme/alpha', 'probed after the noise', (repo) => repo.last_probe !== null && Date.parse(repo.last_probe.at) > noiseEnded && repo.last_probe.ok);
    expect(after).toMatchObject({ status: 'running', pid: before.pid, restarts: 0 });
    expect(isAlive(before.pid ?? 0)).toBe(true);
    expect(await hf({ action: 'ping' })).toEqual({ status: 'ok' });
  });

  it('never run an action after a first line that is not one, as in the body of an HTTP request', async () => {
    const port = await controlPort(home);
    const lines = await conversation(port, 'POST / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n{"action":"ping"}\n');
    expect(lines).toEqual([
      expect.objectContaining({ status: 'error', error: expect.stringMatching(/^invalid JSON: /), code: 'parse_error' }),
      expect.objectContaining({ status: 'error', error: expect.stringMatching(/^invalid JSON: /), code: 'parse_error' }),
      { status: 'error', error: 'unknown action' },
    ]);
  });

  it('never shows the API token in the supervisor log', () => {
    expect(supervisor.child.stdout()).not.toContain(supervisor.token);
    expect(supervisor.child.stderr()).not.toContain(supervisor.token);
    expect(supervisor.child.stdout()).not.toContain('legacy_clients');
  });
});

describe('across a supervisor restart', () => {
  it('keeps repos added by an action and by POST /api/repos; supervisor-port goes on a clean stop and comes back', async () => {
    const byAction = await newRepo('lambda', 'git@github.com:acme/lambda.git');
    const byApi = await newRepo('mu');
    expect(await hf({ action: 'add_repo', path: byAction, token: supervisor.token })).toMatchObject({ status: 'ok', slug: 'acme/lambda' });
    expect((await rig.api(supervisor, 'POST', '/api/repos', { path: byApi })).status).toBe(201);
    const before = (await apiRepos()).map((repo) => [repo.slug, repo.path]);
    expect(before).toEqual(expect.arrayContaining([['acme/alpha', join(root, 'alpha')], ['acme/lambda', byAction], ['mu', byApi]]));
    expect(await controlPort(home)).toBeGreaterThan(0);
    expect(await rig.stop(supervisor)).toMatchObject({ code: 0 });
    await expect(stat(join(home, 'supervisor-port'))).rejects.toMatchObject({ code: 'ENOENT' });

    supervisor = await rig.start(configFile, home);
    expect(await controlPort(home)).toBeGreaterThan(0);
    expect((await apiRepos()).map((repo) => [repo.slug, repo.path])).toEqual(before);
    const listed = (await hf({ action: 'list_repos' })).repos as Answer[];
    expect(listed.map((repo) => [repo.slug, repo.path])).toEqual(before);
    await rig.waitForRepo(supervisor, 'acme/lambda', 'running again', (repo) => repo.status === 'running');
  });
});

describe('control.legacy_clients', () => {
  let legacy: RunningTestSupervisor;
  let legacyHome: string;

  beforeAll(async () => {
    const legacyRoot = await realpath(await temp.make());
    await createGitRepo(join(legacyRoot, 'zeta'));
    legacyHome = join(legacyRoot, 'home');
    const file = await rig.writeConfig(legacyRoot, `${testSupervisorSection(legacyHome, '  control: {legacy_clients: true}')}\nrepos: []\n`);
    legacy = await rig.start(file, legacyHome);
  });

  it('lets clients without a token add, register and remove repos, with a warning logged once at start', async () => {
    const path = join(legacyHome, '..', 'zeta');
    expect(await hf({ action: 'register_repo', path }, legacyHome)).toEqual({ status: 'ok', slug: 'zeta', path: await realpath(path) });
    expect(await hf({ action: 'add_repo', path }, legacyHome)).toMatchObject({ status: 'ok', slug: 'zeta', started: true });
    expect((await apiRepos(legacy)).map((repo) => repo.slug)).toEqual(['zeta']);
    // A token that is given must still be the right one.
    expect(await hf({ action: 'remove_repo', slug: 'zeta', token: 'wrong-token' }, legacyHome)).toEqual({
      status: 'error',
      error: expect.stringMatching(/^Unauthorized: /),
    });
    expect(await hf({ action: 'remove_repo', slug: 'zeta', token: legacy.token }, legacyHome)).toEqual({ status: 'ok' });
    expect(await hf({ action: 'list_repos' }, legacyHome)).toEqual({ status: 'ok', repos: [] });

    const warnings = legacy.child.stdout().split('\n').filter((line) => line.includes('control.legacy_clients is on'));
    expect(warnings).toHaveLength(1);
    expect(JSON.parse(warnings[0] ?? '{}')).toMatchObject({ level: 40 });
    expect(legacy.child.stdout()).not.toContain(legacy.token);
  });
});
