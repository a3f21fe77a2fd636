import { afterEach, describe, expect, it } from '@jest/globals';
import { readFile, realpath } from 'node:fs/promises';
import { connect } from 'node:net';
import { join } from 'node:path';
import { makeBrokenRepos } from './helpers/broken-git-repos.js';
import { createGitRepo, git } from './helpers/git-repo.js';
import { SUPERVISOR_MAIN } from './helpers/paths.js';
import { SupervisorRig, testSupervisorSection } from './helpers/supervisor-rig.js';
import { TempDirs } from './helpers/temp-dir.js';
import { waitFor } from './helpers/wait-for.js';

const temp = new TempDirs();
const rig = new SupervisorRig();

afterEach(async () => {
  await rig.cleanup();
  await temp.cleanup();
});

/** Runs `supervisor start <file>` and resolves with its exit, or fails as soon as it starts instead. */
async function startRefused(file: string): Promise<{ code: number | null; stderr: string }> {
  const child = rig.children.start(process.execPath, [SUPERVISOR_MAIN, 'start', file, '--no-pretty']);
  const started = waitFor('the supervisor to start', () => child.stdout().includes('"supervisor started"'), 60_000).then(() => {
    throw new Error(`the supervisor started instead of refusing ${file}`);
  });
  const { code } = await Promise.race([child.exited, started]);
  return { code, stderr: child.stderr() };
}

/** One HydraFlow action line on a fresh connection to the control port, and the line answered. */
async function hydraFlow(home: string, request: Record<string, unknown>): Promise<Record<string, unknown>> {
  const port = Number((await readFile(join(home, 'supervisor-port'), 'utf8')).trim());
  const line = await new Promise<string>((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port });
    let received = '';
    socket.setEncoding('utf8').on('data', (chunk: string) => {
      received += chunk;
      if (received.includes('\n')) {
        socket.destroy();
        resolve(received.slice(0, received.indexOf('\n')));
      }
    });
    socket.on('error', reject);
    socket.on('close', () => reject(new Error(`no answer to ${JSON.stringify(request)}`)));
    socket.write(`${JSON.stringify(request)}\n`);
  });
  return JSON.parse(line) as Record<string, unknown>;
}

describe('folders that are not usable git repositories', () => {
  it('make repos.yaml invalid (exit 2), each listed by its path and reason; a fresh git init and a packed repository are valid', async () => {
    const root = await realpath(await temp.make());
    const broken = await makeBrokenRepos(root);
    const fresh = await createGitRepo(join(root, 'fresh'), { commits: 0 });
    const home = join(root, 'home');
    const entries = Object.values(broken).map((repo, index) => `  - {path: ${JSON.stringify(repo.path)}, slug: broken-${index}}`);
    const file = await rig.writeConfig(root, `${testSupervisorSection(home)}\nrepos:\n${entries.join('\n')}\n  - {path: ${JSON.stringify(fresh)}, slug: fresh}\n`);

    const refused = await startRefused(file);
    expect(refused.code).toBe(2);
    const problems = refused.stderr.split('\n').filter((line) => line.startsWith('  - '));
    expect(problems).toEqual(
      Object.values(broken).map((repo, index) => `  - repos[${index}].path: ${repo.path} is not a usable git repository: ${repo.reason}; repair it or clone it again`),
    );

    // The same file without the broken ones starts.
    const packed = await createGitRepo(join(root, 'packed'), { commits: 2 });
    await git(packed, 'gc', '-q');
    await rig.writeConfig(root, `${testSupervisorSection(home)}\nrepos:\n  - {path: ${JSON.stringify(fresh)}, slug: fresh, autostart: false}\n  - {path: ${JSON.stringify(packed)}, slug: packed, autostart: false}\n`);
    const supervisor = await rig.start(file, home);
    expect((await rig.repos(supervisor)).map((repo) => repo.slug).sort()).toEqual(['fresh', 'packed']);
  });

  it('are answered 400 by POST /api/repos and refused by HydraFlow add_repo and register_repo, and nothing is added', async () => {
    const root = await realpath(await temp.make());
    const supervisor = await rig.startOneRepo(root);
    const broken = await makeBrokenRepos(join(root, 'broken'));
    for (const repo of Object.values(broken)) {
      const expected = `${repo.path} is not a usable git repository: ${repo.reason}; repair it or clone it again`;
      expect(await rig.api(supervisor, 'POST', '/api/repos', { path: repo.path, slug: 'acme/broken' })).toEqual({ status: 400, body: { error: expected } });
      for (const action of ['add_repo', 'register_repo']) {
        expect(await hydraFlow(supervisor.home, { action, path: repo.path, repo_slug: 'acme/broken', token: supervisor.token })).toEqual({ status: 'error', error: expected });
      }
    }
    expect((await rig.repos(supervisor)).map((repo) => repo.slug)).toEqual(['acme/alpha']);
    const fresh = await createGitRepo(join(root, 'fresh'), { commits: 0 });
    expect(await rig.api(supervisor, 'POST', '/api/repos', { path: fresh, slug: 'acme/fresh', autostart: false })).toMatchObject({ status: 201 });
  });
});
