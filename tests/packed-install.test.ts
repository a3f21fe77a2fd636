import { afterEach, describe, expect, it } from '@jest/globals';
import { copyFile, cp, mkdir, readFile, readdir, realpath } from 'node:fs/promises';
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

/**
 * A copy, under `root`, of what `npm pack` of packages/supervisor reads: the
 * workspace's manifest, the pack scripts, and both packages' manifests and
 * bundles (and the bin shim). Packing the copy leaves the checkout's
 * package.json alone, which the pack rewrites for its duration and which
 * other tests resolve `@repovisor/supervisor` through meanwhile.
 */
async function packableCopy(root: string): Promise<string> {
  const tree = join(root, 'tree');
  const parts = ['package.json', 'scripts/pack', 'packages/supervisor/package.json', 'packages/supervisor/bin', 'packages/supervisor/dist/bundle', 'packages/worker/package.json', 'packages/worker/dist/bundle'];
  for (const part of parts) await cp(join(REPO_ROOT, part), join(tree, part), { recursive: true });
  return join(tree, 'packages', 'supervisor');
}

/** Every file a package manifest names: its bins and, where present, its library entry. */
function filesNamedBy(manifest: Record<string, unknown>): string[] {
  const named: string[] = [];
  const collect = (value: unknown): void => {
    if (typeof value === 'string') named.push(value.replace(/^\.\//, ''));
    else if (typeof value === 'object' && value !== null) for (const inner of Object.values(value)) collect(inner);
  };
  for (const key of ['bin', 'exports', 'types', 'typings', 'main', 'module']) collect(manifest[key]);
  return named;
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
  it('installs with npm install -g and no registry, names only files it ships, and its supervisor and repovisor commands run a worker from inside the install', async () => {
    const root = await temp.make();
    const packs = join(root, 'packs');
    const prefix = join(root, 'global');
    await mkdir(packs);
    const copy = await packableCopy(root);
    await run('npm', ['pack', '--pack-destination', packs], { cwd: copy });
    const tarballs = await readdir(packs);
    expect(tarballs).toEqual([expect.stringMatching(/^repovisor-supervisor-.*\.tgz$/)]);
    // After the pack, the package's own manifest (with its library entry) is back as it was, and nothing is left over.
    expect(await readFile(join(copy, 'package.json'), 'utf8')).toBe(await readFile(join(SUPERVISOR_PACKAGE, 'package.json'), 'utf8'));
    expect((await readdir(copy)).sort()).toEqual(['bin', 'dist', 'package.json']);
    // The packed manifest names only files the tarball holds: no library entry, which it does not ship.
    const tarball = join(packs, tarballs[0] ?? '');
    const listed = (await run('tar', ['-tzf', tarball])).stdout.split('\n').filter((line) => line !== '');
    const packed = JSON.parse((await run('tar', ['-xzOf', tarball, 'package/package.json'])).stdout) as Record<string, unknown>;
    expect(packed.exports).toBeUndefined();
    expect(filesNamedBy(packed).length).toBeGreaterThan(0);
    for (const file of filesNamedBy(packed)) expect(listed).toContain(`package/${file}`);
    // Offline, an empty cache and a registry nobody listens on: anything fetched would fail the install.
    await run(
      'npm',
      ['install', '-g', '--prefix', prefix, '--offline', '--cache', join(root, 'npm-cache'), '--registry', 'http://127.0.0.1:9/', '--no-audit', '--no-fund', tarball],
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

    for (const name of ['supervisor', 'repovisor']) {
      const help = await run(join(prefix, 'bin', name), ['--help']);
      expect(help.stdout).toMatch(new RegExp(`^Usage: ${name} \\[options\\] \\[command\\]$`, 'm'));
    }
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

describe("the supervisor package's prepack and postpack", () => {
  it('put the checkout package.json back byte for byte, also after a pack that failed before its postpack', async () => {
    const copy = await packableCopy(await temp.make());
    const script = join(copy, '..', '..', 'scripts', 'pack', 'worker-copy.mjs');
    const checkout = await readFile(join(copy, 'package.json'), 'utf8');
    await run(process.execPath, [script, 'add']);
    const packed = JSON.parse(await readFile(join(copy, 'package.json'), 'utf8')) as Record<string, unknown>;
    expect([packed.exports, packed.types, packed.bin]).toEqual([undefined, undefined, (JSON.parse(checkout) as Record<string, unknown>).bin]);
    // npm runs no postpack when the pack fails: the next pack must still start from the checkout's manifest.
    await run(process.execPath, [script, 'add']);
    await run(process.execPath, [script, 'remove']);
    expect(await readFile(join(copy, 'package.json'), 'utf8')).toBe(checkout);
    expect((await readdir(copy)).sort()).toEqual(['bin', 'dist', 'package.json']);
    expect((await readdir(join(copy, 'dist'))).sort()).toEqual(['bundle']);
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

  it('runs the built CLI from the checkout (npx supervisor and npx repovisor), its usage naming the command it was run as', async () => {
    for (const name of ['supervisor', 'repovisor']) {
      const { stdout } = await run(join(REPO_ROOT, 'node_modules', '.bin', name), ['--help']);
      expect(stdout).toContain('Repovisor: one isolated worker process per git repository');
      expect(stdout).toMatch(new RegExp(`^Usage: ${name} \\[options\\] \\[command\\]$`, 'm'));
    }
    // Run by another name (node bin/supervisor.cjs), it calls itself supervisor.
    expect((await run(process.execPath, [SHIM, '--help'])).stdout).toMatch(/^Usage: supervisor \[options\] \[command\]$/m);
  });
});
