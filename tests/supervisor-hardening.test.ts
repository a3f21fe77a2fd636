import { afterEach, describe, expect, it } from '@jest/globals';
import { mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import type { Socket } from 'node:net';
import { join } from 'node:path';
import { createGitRepo } from './helpers/git-repo.js';
import { SupervisorRig, testSupervisorSection, workerMainPidsUnder } from './helpers/supervisor-rig.js';
import type { ApiRepo, RunningTestSupervisor } from './helpers/supervisor-rig.js';
import { TempDirs } from './helpers/temp-dir.js';
import { waitFor } from './helpers/wait-for.js';

const temp = new TempDirs();
const rig = new SupervisorRig();
const sockets: Socket[] = [];

afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.destroy();
  await rig.cleanup();
  await temp.cleanup();
});

async function oneRepo(extra = ''): Promise<{ root: string; file: string; home: string }> {
  const root = await temp.make();
  await createGitRepo(join(root, 'alpha'));
  const home = join(root, 'home');
  const settings = testSupervisorSection(home).replace('http: {host: 127.0.0.1, port: 0}', `http: {host: 127.0.0.1, port: 0${extra}}`);
  const file = await rig.writeConfig(root, `${settings}\nrepos:\n  - path: ./alpha\n    slug: acme/alpha\n`);
  return { root, file, home };
}

function openSocket(url: string): Promise<Socket> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect({ host: hostname, port: Number(port) }, () => resolve(socket));
    socket.on('error', reject);
    sockets.push(socket);
  });
}

describe('durability', () => {
  it('moves a corrupt supervisor-state.json aside with a loud error and still starts the repos of repos.yaml', async () => {
    const { file, home } = await oneRepo();
    await mkdir(home, { recursive: true, mode: 0o700 });
    await writeFile(join(home, 'supervisor-state.json'), '{"version": 1, "repos": [tor', { mode: 0o600 });
    const supervisor = await rig.start(file, home);
    await rig.waitForRepo(supervisor, 'acme/alpha', 'running', (repo) => repo.status === 'running');
    const aside = (await readdir(home)).filter((name) => name.startsWith('supervisor-state.json.corrupt-'));
    expect(aside).toHaveLength(1);
    expect(await readFile(join(home, aside[0] ?? ''), 'utf8')).toBe('{"version": 1, "repos": [tor');
    const loud = supervisor.child.stdout().split('\n').find((line) => line.includes('supervisor-state.json was corrupt'));
    expect(JSON.parse(loud ?? '{}')).toMatchObject({ level: 50 });
  });
});

describe('secrets', () => {
  it('never shows the API token or a worker token in logs, argv or API answers', async () => {
    const { root, file, home } = await oneRepo();
    const supervisor = await rig.start(file, home);
    const extra = await createGitRepo(join(root, 'beta'));
    expect((await rig.api(supervisor, 'POST', '/api/repos', { path: extra, slug: 'acme/beta' })).status).toBe(201);
    for (const slug of ['acme/alpha', 'acme/beta']) await rig.waitForRepo(supervisor, slug, 'running', (repo) => repo.status === 'running');
    await rig.api(supervisor, 'POST', '/api/repos/acme/beta/restart');
    await rig.api(supervisor, 'POST', '/api/repos', { path: extra, slug: 'dup/beta' });
    await rig.waitForRepo(supervisor, 'acme/beta', 'running again', (repo) => repo.status === 'running');

    const state = JSON.parse(await readFile(join(home, 'supervisor-state.json'), 'utf8')) as { repos: { token: string }[] };
    const secrets = [supervisor.token, ...state.repos.map((repo) => repo.token)];
    expect(secrets.every((secret) => secret.length >= 32)).toBe(true);

    const seen: string[] = [supervisor.child.stdout(), supervisor.child.stderr()];
    for (const name of await readdir(join(home, 'logs'))) seen.push(await readFile(join(home, 'logs', name), 'utf8'));
    for (const path of ['/api/repos', '/api/repos/acme/alpha', '/api/repos/acme/alpha/runtimes', '/metrics', '/healthz']) {
      seen.push(await (await fetch(supervisor.url + path, { headers: { authorization: `Bearer ${supervisor.token}` } })).text());
    }
    seen.push(JSON.stringify((await rig.api(supervisor, 'POST', '/api/repos', { path: '/nonexistent' })).body));
    for (const pid of await workerMainPidsUnder(home)) seen.push(await readFile(`/proc/${pid}/cmdline`, 'utf8'));
    seen.push(await readFile(`/proc/${supervisor.child.pid}/cmdline`, 'utf8'));
    for (const text of seen) for (const secret of secrets) expect(text.includes(secret)).toBe(false);
  });
});

describe('HTTP under hostile clients', () => {
  it('cuts off a client that never finishes its headers, and keeps serving others', async () => {
    const { file, home } = await oneRepo(', headers_timeout_ms: 500, request_timeout_ms: 1000');
    const supervisor = await rig.start(file, home);
    const slow = await openSocket(supervisor.url);
    let answer = '';
    slow.setEncoding('utf8').on('data', (chunk: string) => (answer += chunk));
    const closed = new Promise<void>((resolve) => slow.on('close', () => resolve()));
    slow.write('GET /api/repos HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ');
    await closed;
    expect(answer).toMatch(/^HTTP\/1\.1 408 Request Timeout/);
    expect((await rig.api(supervisor, 'GET', '/api/repos')).status).toBe(200);
  });

  it('keeps answering while hundreds of idle connections are open', async () => {
    const { file, home } = await oneRepo();
    const supervisor = await rig.start(file, home);
    await Promise.all(Array.from({ length: 300 }, () => openSocket(supervisor.url)));
    const answers = await Promise.all(Array.from({ length: 50 }, () => rig.api(supervisor, 'GET', '/api/repos')));
    expect(answers.every((answer) => answer.status === 200)).toBe(true);
  });
});

describe('racing registrations', () => {
  it('100 concurrent adds and deletes on overlapping slugs leave a registry that matches the answers and the processes', async () => {
    const root = await temp.make();
    const home = join(root, 'home');
    const file = await rig.writeConfig(root, `${testSupervisorSection(home)}\nrepos: []\n`);
    const slugs = ['race/a', 'race/b', 'race/c', 'race/d', 'race/e'];
    const paths = await Promise.all(slugs.map((slug) => createGitRepo(join(root, slug.replace('/', '-')))));
    const supervisor: RunningTestSupervisor = await rig.start(file, home);

    const operations = Array.from({ length: 100 }, (_, index) => ({ slug: slugs[index % slugs.length] ?? '', add: (index * 7) % 3 !== 0 }));
    const results = await Promise.all(
      operations.map(async (operation) => {
        const path = paths[slugs.indexOf(operation.slug)] ?? '';
        const answer = operation.add
          ? await rig.api(supervisor, 'POST', '/api/repos', { path, slug: operation.slug })
          : await rig.api(supervisor, 'DELETE', `/api/repos/${operation.slug}`);
        return { ...operation, status: answer.status };
      }),
    );
    for (const result of results) expect(result.add ? [201, 409] : [200, 404]).toContain(result.status);

    const listed = new Set((await rig.repos(supervisor)).map((repo) => repo.slug));
    for (const slug of slugs) {
      const added = results.filter((result) => result.slug === slug && result.add && result.status === 201).length;
      const removed = results.filter((result) => result.slug === slug && !result.add && result.status === 200).length;
      expect(added - removed).toBe(listed.has(slug) ? 1 : 0);
    }
    const stored = JSON.parse(await readFile(join(home, 'supervisor-state.json'), 'utf8')) as { repos: { slug: string }[] };
    expect(new Set(stored.repos.map((repo) => repo.slug))).toEqual(listed);

    // One worker per registered slug, none for the others.
    for (const slug of listed) await rig.waitForRepo(supervisor, slug, 'running', (repo: ApiRepo) => repo.status === 'running');
    await waitFor('exactly one worker per registered slug', async () => {
      for (const slug of slugs) {
        const count = (await workerMainPidsUnder(join(home, 'repos', slug.replace('/', '-')))).length;
        if (count !== (listed.has(slug) ? 1 : 0)) return false;
      }
      return true;
    });
  });
});
