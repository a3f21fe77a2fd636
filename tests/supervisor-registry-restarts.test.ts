import { afterEach, describe, expect, it } from '@jest/globals';
import { readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createGitRepo } from './helpers/git-repo.js';
import { SupervisorRig, testSupervisorSection } from './helpers/supervisor-rig.js';
import type { RunningTestSupervisor } from './helpers/supervisor-rig.js';
import { TempDirs } from './helpers/temp-dir.js';

// What a supervisor makes of the registry an earlier one left (docs/RELIABILITY.md,
// docs/CONFIGURATION.md "How repos.yaml and the stored state combine"): each
// supervisor here is stopped cleanly (SIGTERM, exit 0) before the next starts.

const temp = new TempDirs();
const rig = new SupervisorRig();

afterEach(async () => {
  await rig.cleanup();
  await temp.cleanup();
});

interface LogLine {
  level: number;
  msg: string;
  slug?: string;
  kind?: string;
}

function logLines(supervisor: RunningTestSupervisor): LogLine[] {
  return supervisor.child
    .stdout()
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as LogLine);
}

/** A root with the git repositories alpha, beta and gamma, and a repos.yaml naming `entries`. */
async function writeConfig(root: string, entries: string[]): Promise<string> {
  return rig.writeConfig(root, `${testSupervisorSection(join(root, 'home'))}\nrepos:\n${entries.map((entry) => `  - ${entry}\n`).join('')}`);
}

async function addOverApi(supervisor: RunningTestSupervisor, path: string, slug: string): Promise<void> {
  const added = await rig.api(supervisor, 'POST', '/api/repos', { path, slug, autostart: false });
  expect(added.status).toBe(201);
}

describe('the registry across supervisor restarts', () => {
  it('restores a corrupt supervisor-state.json from its backup, repos added over the API included, and says so loudly', async () => {
    const root = await temp.make();
    const home = join(root, 'home');
    for (const name of ['alpha', 'beta']) await createGitRepo(join(root, name));
    const file = await writeConfig(root, [`{path: ./alpha, slug: acme/alpha}`]);
    const first = await rig.start(file, home);
    await addOverApi(first, join(root, 'beta'), 'acme/beta');
    expect(await rig.stop(first)).toEqual({ code: 0, signal: null });

    await writeFile(join(home, 'supervisor-state.json'), '{"version": 1, "repos": [ garbage');
    const second = await rig.start(file, home);
    expect((await rig.repos(second)).map((repo) => repo.slug)).toEqual(['acme/alpha', 'acme/beta']);
    const loud = logLines(second).find((line) => line.msg.includes('restored the registry from supervisor-state.json.bak'));
    expect(loud?.level).toBe(50);
    const asides = (await readdir(home)).filter((name) => name.startsWith('supervisor-state.json.corrupt-'));
    expect(asides).toHaveLength(1);
    expect(await readFile(join(home, asides[0] ?? ''), 'utf8')).toBe('{"version": 1, "repos": [ garbage');
    expect(await rig.stop(second)).toEqual({ code: 0, signal: null });
  });

  it('adopts an API repo that repos.yaml now names with the same folder, and drops one whose folder repos.yaml gives another slug, saying which', async () => {
    const root = await temp.make();
    const home = join(root, 'home');
    for (const name of ['alpha', 'beta', 'gamma']) await createGitRepo(join(root, name));
    const first = await rig.start(await writeConfig(root, [`{path: ./alpha, slug: acme/alpha}`]), home);
    await addOverApi(first, join(root, 'beta'), 'acme/beta');
    await addOverApi(first, join(root, 'gamma'), 'acme/gamma');
    expect(await rig.stop(first)).toEqual({ code: 0, signal: null });

    const file = await writeConfig(root, [
      `{path: ./alpha, slug: acme/alpha}`,
      `{path: ./beta, slug: acme/beta, autostart: false}`,
      `{path: ./gamma, slug: acme/delta, autostart: false}`,
    ]);
    const second = await rig.start(file, home);
    const repos = await rig.api<{ repos: { slug: string; source: string }[] }>(second, 'GET', '/api/repos');
    expect(repos.body.repos.map(({ slug, source }) => ({ slug, source }))).toEqual([
      { slug: 'acme/alpha', source: 'config' },
      { slug: 'acme/beta', source: 'config' },
      { slug: 'acme/delta', source: 'config' },
    ]);
    const lines = logLines(second);
    expect(lines).toContainEqual(expect.objectContaining({ level: 30, slug: 'acme/beta', msg: 'a repo added over the API is now in repos.yaml' }));
    expect(lines).toContainEqual(
      expect.objectContaining({ level: 40, kind: 'api_repo_replaced', slug: 'acme/gamma', msg: 'a stored repo was dropped in favour of repos.yaml' }),
    );
    expect(await rig.stop(second)).toEqual({ code: 0, signal: null });
  });
});
