import { afterEach, describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { cp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { loadConfig } from '@repovisor/supervisor';
import { resolveRemoteTarget } from '../packages/worker/src/pipeline/git/remote-target.js';
import { git } from './helpers/git-repo.js';
import { REPO_ROOT } from './helpers/paths.js';
import { TempDirs } from './helpers/temp-dir.js';

// The bundled example (examples/repos.yaml and scripts/create-demo-repos.mjs), made in a
// copy of examples/ so that the checkout's own demo repositories are left alone.

const run = promisify(execFile);
const temp = new TempDirs();
afterEach(() => temp.cleanup());

const NAMES = ['alpha', 'beta', 'gamma'];

async function exampleCopy(): Promise<string> {
  const folder = await temp.make('repovisor-demo-');
  await cp(join(REPO_ROOT, 'examples', 'repos.yaml'), join(folder, 'repos.yaml'));
  await cp(join(REPO_ROOT, 'examples', 'agents'), join(folder, 'agents'), { recursive: true });
  return folder;
}

async function createDemoRepos(folder: string): Promise<string> {
  const { stdout } = await run(process.execPath, [join(REPO_ROOT, 'scripts', 'create-demo-repos.mjs'), folder]);
  return stdout;
}

/** Every ref of every demo repository and origin, and each repository's remotes. */
async function refsOf(folder: string): Promise<string> {
  const parts: string[] = [];
  for (const name of NAMES) {
    parts.push(await git(join(folder, 'repos', name), 'for-each-ref', '--format=%(refname) %(objectname)'), await git(join(folder, 'repos', name), 'remote', '-v'));
    parts.push(await git(join(folder, 'origins', `${name}.git`), 'for-each-ref', '--format=%(refname) %(objectname)'));
  }
  return parts.join('\n');
}

describe('the demo repositories', () => {
  it('each get a bare origin with their main branch, as the demo-origin remote beside the origin that gives the slug', async () => {
    const folder = await exampleCopy();
    const made = await createDemoRepos(folder);
    for (const name of NAMES) expect(made).toContain(`created demo origin ${join(folder, 'origins', `${name}.git`)}`);
    for (const name of NAMES) {
      const repo = join(folder, 'repos', name);
      expect(await git(repo, 'remote', 'get-url', 'demo-origin')).toBe(`../../origins/${name}.git`);
      expect(await git(join(folder, 'origins', `${name}.git`), 'rev-parse', 'refs/heads/main')).toBe(await git(repo, 'rev-parse', 'main'));
      expect(await git(join(folder, 'origins', `${name}.git`), 'symbolic-ref', 'HEAD')).toBe('refs/heads/main');
    }
    expect(await git(join(folder, 'repos', 'alpha'), 'remote', 'get-url', 'origin')).toBe('https://github.com/acme/alpha.git');
    expect(await git(join(folder, 'repos', 'beta'), 'remote', 'get-url', 'origin')).toBe('git@github.com:acme/beta.git');
    expect(await git(join(folder, 'repos', 'gamma'), 'remote')).toBe('demo-origin');
  });

  it('are made once: a second run changes nothing, and a repository from before the origins gets its origin', async () => {
    const folder = await exampleCopy();
    await createDemoRepos(folder);
    const before = await refsOf(folder);
    expect(await createDemoRepos(folder)).toBe('');
    expect(await refsOf(folder)).toBe(before);

    await git(join(folder, 'repos', 'beta'), 'remote', 'remove', 'demo-origin');
    await rm(join(folder, 'origins', 'beta.git'), { recursive: true });
    expect(await createDemoRepos(folder)).toBe(`created demo origin ${join(folder, 'origins', 'beta.git')}\n`);
    expect(await refsOf(folder)).toBe(before);
  });

  it('are run by examples/repos.yaml with the pipeline on, the scripted agent and demo-origin, whose base branch is main', async () => {
    const folder = await exampleCopy();
    await createDemoRepos(folder);
    const config = await loadConfig(join(folder, 'repos.yaml'), {});
    expect(config.repos.map((repo) => repo.slug)).toEqual(['acme/alpha', 'acme/beta', 'gamma']);
    expect(config.repos.find((repo) => repo.slug === 'gamma')?.env).toEqual({ DEMO_GREETING: 'hello' });
    for (const repo of config.repos) {
      expect(repo.pipeline).toMatchObject({ enabled: true, source: 'local', remote: 'demo-origin', agent: { command: ['node', join(folder, 'agents', 'scripted-agent.mjs')] } });
      const target = await resolveRemoteTarget({ repoPath: repo.path, remote: 'demo-origin', baseBranch: null });
      if (!target.ok) throw new Error(target.message);
      expect(target.target.baseBranch).toBe('main');
      expect(target.target.url).toBe(join(folder, 'origins', `${repo.path.split('/').pop()!}.git`));
    }
  });
});
