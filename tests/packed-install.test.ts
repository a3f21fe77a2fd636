import { afterEach, describe, expect, it } from '@jest/globals';
import { copyFile, mkdir, readFile, readdir, realpath } from 'node:fs/promises';
import { delimiter, dirname, join } from 'node:path';
import { createGitRepo } from './helpers/git-repo.js';
import { REPO_ROOT } from './helpers/paths.js';
import { SupervisorRig, testSupervisorSection, workerPidsUnder } from './helpers/supervisor-rig.js';
import type { RunningTestSupervisor } from './helpers/supervisor-rig.js';
import { TempDirs } from './helpers/temp-dir.js';
import { waitFor } from './helpers/wait-for.js';

// The operator's install: `npm pack` of @repovisor/supervisor, then
// `npm install -g` of the tarball, with no registry to reach, gives a
// `supervisor`/`repovisor` command that runs the worker from inside the install.

const temp = new TempDirs();
const rig = new SupervisorRig();

afterEach(async () => {
  await rig.cleanup();
  await temp.cleanup();
});

const SUPERVISOR_PACKAGE = join(REPO_ROOT, 'packages', 'supervisor');
const SHIM = join(SUPERVISOR_PACKAGE, 'bin', 'supervisor.cjs');

/** The environment of a command run as an operator would: no npm or Repovisor settings of this run, node on PATH. */
function operatorEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^(npm_|REPOVISOR_)/i.test(key)));
  return { ...env, PATH: `${dirname(process.execPath)}${delimiter}${env.PATH ?? ''}`, ...extra };
}

/** Runs `command` to its end and resolves with its output; rejects, with that output, when it fails. */
async function run(command: string, args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<{ stdout: string; stderr: string }> {
  const child = rig.children.start(command, args, { cwd: options.cwd, env: options.env ?? operatorEnv() });
  const { code, signal } = await child.exited;
  if (code !== 0) throw new Error(`${command} ${args.join(' ')} exited with ${code ?? signal}:\n${child.stdout()}\n${child.stderr()}`);
  return { stdout: child.stdout(), stderr: child.stderr() };
}

/** Starts the installed `supervisor start <file>` for `home` and resolves once its API answers. */
async function startInstalled(bin: string, file: string, home: string): Promise<RunningTestSupervisor> {
  rig.track(home);
  const child = rig.children.start(bin, ['start', file, '--no-pretty'], { env: operatorEnv() });
  const url = await waitFor(`the installed supervisor of ${home} to start (stderr: ${child.stderr()})`, () => {
    if (child.child.exitCode !== null) throw new Error(`the installed supervisor exited with ${child.child.exitCode}: ${child.stderr()}`);
    const line = child.stdout().split('\n').find((entry) => entry.includes('"supervisor started"'));
    return line === undefined ? undefined : (JSON.parse(line) as { http: string }).http;
  });
  const token = (await readFile(join(home, 'api-token'), 'utf8')).trim();
  return { child, home, url, token };
}

describe('the packed supervisor package', () => {
  it('installs with npm install -g and no registry, and its supervisor and repovisor commands run a worker from inside the install', async () => {
    const root = await temp.make();
    const packs = join(root, 'packs');
    const prefix = join(root, 'global');
    await mkdir(packs);
    await run('npm', ['pack', '--pack-destination', packs], { cwd: SUPERVISOR_PACKAGE });
    const tarballs = await readdir(packs);
    expect(tarballs).toEqual([expect.stringMatching(/^repovisor-supervisor-.*\.tgz$/)]);
    // Offline, an empty cache and a registry nobody listens on: anything fetched would fail the install.
    await run(
      'npm',
      ['install', '-g', '--prefix', prefix, '--offline', '--cache', join(root, 'npm-cache'), '--registry', 'http://127.0.0.1:9/', '--no-audit', '--no-fund', join(packs, tarballs[0] ?? '')],
      { cwd: root },
    );
    const installed = await realpath(join(prefix, 'lib', 'node_modules', '@repovisor', 'supervisor'));

    const repo = await createGitRepo(join(root, 'repo'));
    const home = join(root, 'home');
    const file = await rig.writeConfig(root, `${testSupervisorSection(home)}\nrepos:\n  - {path: ${JSON.stringify(repo)}, slug: acme/alpha}\n`);
    const supervisor = await startInstalled(join(prefix, 'bin', 'supervisor'), file, home);
    const running = await rig.waitForRepo(supervisor, 'acme/alpha', 'running', (entry) => entry.status === 'running' && entry.pid !== null);
    // The start message names a command that exists.
    await waitFor('the start message', () => supervisor.child.stderr().includes(`try:        repovisor status --home ${home}`) || undefined);

    const status = await run(join(prefix, 'bin', 'repovisor'), ['status', '--home', home]);
    expect(status.stdout).toMatch(new RegExp(`^acme/alpha\\s+running\\s+${running.pid}\\s`, 'm'));

    // The worker is the one the install carries, not this checkout's.
    const cmdline = (await readFile(`/proc/${running.pid}/cmdline`, 'utf8')).split('\0');
    expect(cmdline).toContain(join(installed, 'dist', 'worker', 'dist', 'bundle', 'repo-worker.cjs'));

    const workers = await workerPidsUnder(home);
    expect(workers).toContain(running.pid);
    expect(await rig.stop(supervisor)).toEqual({ code: 0, signal: null });
    expect(await workerPidsUnder(home)).toEqual([]);
  });
});

describe("the supervisor package's prepack", () => {
  it('stops the pack with "Run `npm run build` first", naming what is missing, in a tree that was never built', async () => {
    const tree = await temp.make();
    const script = join(tree, 'scripts', 'pack', 'worker-copy.mjs');
    await mkdir(dirname(script), { recursive: true });
    await copyFile(join(REPO_ROOT, 'scripts', 'pack', 'worker-copy.mjs'), script);
    const child = rig.children.start(process.execPath, [script, 'add'], { env: operatorEnv() });
    expect(await child.exited).toEqual({ code: 1, signal: null });
    expect(child.stderr()).toContain('Run `npm run build` first');
    expect(child.stderr()).toContain('packages/worker/dist/bundle/repo-worker.cjs');
    expect(await readdir(tree)).toEqual(['scripts']);
  });
});

describe('the supervisor bin shim', () => {
  it('says to run npm run build first, on stderr with exit code 1, when the bundle is missing', async () => {
    const copy = join(await temp.make(), 'bin', 'supervisor.cjs');
    await mkdir(dirname(copy));
    await copyFile(SHIM, copy);
    const child = rig.children.start(process.execPath, [copy, '--help'], { env: operatorEnv() });
    expect(await child.exited).toEqual({ code: 1, signal: null });
    expect(child.stderr()).toContain('Run `npm run build` first');
    expect(child.stderr()).toContain(join(dirname(copy), '..', 'dist', 'bundle', 'supervisor.cjs'));
    expect(child.stdout()).toBe('');
  });

  it('says the same when the executable is there but the program it runs is not', async () => {
    const package_ = await temp.make();
    const copy = join(package_, 'bin', 'supervisor.cjs');
    await mkdir(dirname(copy));
    await mkdir(join(package_, 'dist', 'bundle'), { recursive: true });
    await copyFile(SHIM, copy);
    await copyFile(join(SUPERVISOR_PACKAGE, 'dist', 'bundle', 'supervisor.cjs'), join(package_, 'dist', 'bundle', 'supervisor.cjs'));
    const child = rig.children.start(process.execPath, [copy, 'status'], { env: operatorEnv() });
    expect(await child.exited).toEqual({ code: 1, signal: null });
    expect(child.stderr()).toContain('Run `npm run build` first');
    expect(child.stderr()).toContain('supervisor-program.cjs');
  });

  it('runs the built CLI from the checkout (npx supervisor and npx repovisor)', async () => {
    for (const name of ['supervisor', 'repovisor']) {
      const { stdout } = await run(join(REPO_ROOT, 'node_modules', '.bin', name), ['--help']);
      expect(stdout).toContain('Repovisor: one isolated worker process per git repository');
    }
  });
});
