import { afterEach, describe, expect, it } from '@jest/globals';
import { appendFile, cp, readFile, realpath } from 'node:fs/promises';
import { join } from 'node:path';
import { makeBrokenRepos } from './helpers/broken-git-repos.js';
import { createGitRepo, git } from './helpers/git-repo.js';
import { SUPERVISOR_MAIN } from './helpers/paths.js';
import { SupervisorRig, testSupervisorSection } from './helpers/supervisor-rig.js';
import type { RunningTestSupervisor } from './helpers/supervisor-rig.js';
import { TempDirs } from './helpers/temp-dir.js';
import { waitFor } from './helpers/wait-for.js';

const temp = new TempDirs();
const rig = new SupervisorRig();

afterEach(async () => {
  await rig.cleanup();
  await temp.cleanup();
});

const GIT_MISSING = "git was not found on PATH; install git, or add the folder that holds it to PATH";

/**
 * Runs `supervisor start <file>` through `sh -c '<shell>; exec node …'` (for a
 * `ulimit`) with environment `env`, and resolves once it has started or exited.
 */
async function startThroughShell(file: string, home: string, shell: string, env: NodeJS.ProcessEnv = {}) {
  const child = rig.children.start('/bin/sh', ['-c', `${shell}; exec "$0" "$@"`, process.execPath, SUPERVISOR_MAIN, 'start', file, '--no-pretty'], {
    env: { ...process.env, ...env },
  });
  const started = waitFor('the supervisor to start', () => /"http":"([^"]+)".*"supervisor started"/.exec(child.stdout())?.[1], 120_000);
  const outcome = await Promise.race([started.then((url) => ({ url })), child.exited.then((exit) => ({ exit }))]);
  started.catch(() => undefined);
  if ('exit' in outcome) return { exit: outcome.exit, stderr: child.stderr() };
  const token = (await readFile(join(home, 'api-token'), 'utf8')).trim();
  const supervisor: RunningTestSupervisor = { child, home, url: outcome.url, token };
  return { supervisor, stderr: child.stderr() };
}

/** `count` repositories with origins `https://github.com/acme/r-<n>.git`, copied from one (a git process per copy would be slow). */
async function reposWithOrigins(root: string, count: number): Promise<string[]> {
  const first = await createGitRepo(join(root, 'template'));
  const paths: string[] = [];
  for (let index = 0; index < count; index += 1) {
    const path = join(root, `r-${index}`);
    await cp(first, path, { recursive: true });
    await appendFile(join(path, '.git', 'config'), `[remote "origin"]\n\turl = https://github.com/acme/r-${index}.git\n`);
    paths.push(path);
  }
  return paths;
}

describe('without git on PATH', () => {
  it('refuses repos.yaml (exit 2) rather than changing a derived slug, naming the path and the fix', async () => {
    const root = await realpath(await temp.make());
    const alpha = await createGitRepo(join(root, 'alpha'), { origin: 'https://github.com/acme/alpha.git' });
    // Packed refs and objects are read in-process: no git needed.
    const packed = await createGitRepo(join(root, 'packed'));
    await git(packed, 'gc', '-q');
    await git(packed, 'pack-refs', '--all');
    // A HEAD whose commit is found neither loose nor packed is one only git can judge.
    const { missingObjects } = await makeBrokenRepos(root);
    const home = join(root, 'home');
    const file = await rig.writeConfig(
      root,
      `${testSupervisorSection(home)}\nrepos:\n  - path: ./alpha\n  - {path: ./packed, slug: acme/packed}\n  - {path: ${JSON.stringify(missingObjects.path)}, slug: acme/missing}\n`,
    );
    const refused = await startThroughShell(file, home, 'true', { PATH: await temp.make() });
    expect(refused.exit).toEqual({ code: 2, signal: null });
    expect(refused.stderr.split('\n').filter((line) => line.startsWith('  - '))).toEqual([
      `  - repos[0]: cannot derive the slug of ${alpha} from its origin remote: ${GIT_MISSING} (for a service, in its unit's Environment=PATH=…); fix that, or give the repository an explicit slug`,
      `  - repos[2].path: cannot check that ${missingObjects.path} is a git repository: ${GIT_MISSING} (for a service, in its unit's Environment=PATH=…)`,
    ]);
  });

  it('answers 400 to POST /api/repos without a slug, and takes the repo with one', async () => {
    const root = await realpath(await temp.make());
    const alpha = await createGitRepo(join(root, 'alpha'), { origin: 'https://github.com/acme/alpha.git' });
    const home = join(root, 'home');
    const file = await rig.writeConfig(root, `${testSupervisorSection(home)}\nrepos: []\n`);
    const { supervisor } = await startThroughShell(file, home, 'true', { PATH: await temp.make() });
    if (supervisor === undefined) throw new Error('the supervisor did not start');
    const refused = await rig.api<{ error: string }>(supervisor, 'POST', '/api/repos', { path: alpha, autostart: false });
    expect(refused.status).toBe(400);
    expect(refused.body.error).toContain(`cannot derive the slug of ${alpha} from its origin remote: ${GIT_MISSING}`);
    expect(await rig.repos(supervisor)).toEqual([]);
    expect(await rig.api(supervisor, 'POST', '/api/repos', { path: alpha, slug: 'acme/alpha', autostart: false })).toMatchObject({ status: 201 });
  });
});

describe('git calls under a low open-file limit', () => {
  it('derives 150 slugs at start under ulimit -n 128: the git calls are bounded', async () => {
    const root = await realpath(await temp.make());
    const paths = await reposWithOrigins(root, 150);
    const home = join(root, 'home');
    const entries = paths.map((path) => `  - {path: ${JSON.stringify(path)}, autostart: false}`).join('\n');
    const file = await rig.writeConfig(root, `${testSupervisorSection(home)}\nrepos:\n${entries}\n`);
    const { supervisor, stderr } = await startThroughShell(file, home, 'ulimit -n 128');
    if (supervisor === undefined) throw new Error(`the supervisor did not start: ${stderr}`);
    const slugs = (await rig.repos(supervisor)).map((repo) => repo.slug);
    expect(slugs.sort()).toEqual(paths.map((_, index) => `acme/r-${index}`).sort());
  });

  it('reports running out of file descriptors as a clear configuration error, never a TypeError', async () => {
    const root = await realpath(await temp.make());
    const paths = await reposWithOrigins(root, 20);
    const home = join(root, 'home');
    const entries = paths.map((path) => `  - {path: ${JSON.stringify(path)}, autostart: false}`).join('\n');
    const file = await rig.writeConfig(root, `${testSupervisorSection(home)}\nrepos:\n${entries}\n`);
    // Node holds about 20 descriptors of its own: a git call (three pipes) cannot get its own.
    const refused = await startThroughShell(file, home, 'ulimit -n 24');
    expect(refused.exit).toEqual({ code: 2, signal: null });
    expect(refused.stderr).not.toMatch(/TypeError|Unhandled|node:events/);
    expect(refused.stderr).toMatch(/too many open files \(EMFILE\); raise the open-file limit \(ulimit -n/);
  });
});
