import { afterEach, describe, expect, it } from '@jest/globals';
import { createHash } from 'node:crypto';
import { copyFile, mkdir, readFile, readdir, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { ChildProcesses } from './helpers/child-processes.js';
import type { TestChild } from './helpers/child-processes.js';
import { createGitRepo } from './helpers/git-repo.js';
import { REPO_ROOT, SUPERVISOR_MAIN, WORKER_MAIN } from './helpers/paths.js';
import { SupervisorRig } from './helpers/supervisor-rig.js';
import type { RunningTestSupervisor } from './helpers/supervisor-rig.js';
import { TempDirs } from './helpers/temp-dir.js';
import { waitFor } from './helpers/wait-for.js';

// Each executable runs its bundled program through a V8 code cache
// (packages/protocol/src/code-cache/run-cached-program.cts), written ~3 s after
// a start that found none or found one V8 refused, named after the program's
// digest, in the folder REPOVISOR_CODE_CACHE names or beside the program.
// Every test has caches of its own: a folder of its own, or for the default
// place a copy of the bundles of its own. "Not written" is checked once the
// process has passed the moment of the write (tests/fixtures/cache-write-window.cjs
// marks it), never after a fixed sleep.

const WINDOW_MARKER = join(REPO_ROOT, 'tests', 'fixtures', 'cache-write-window.cjs');
const temp = new TempDirs();
const children = new ChildProcesses();
const rig = new SupervisorRig();

afterEach(async () => {
  await children.killAll();
  await rig.cleanup();
  await temp.cleanup();
});

/** The name of a program's cache file: the program's, a digest of its content (as scripts/build/bundle.mjs computes it), `.v8cache`. */
async function cacheName(program: string): Promise<string> {
  const digest = createHash('sha256').update(await readFile(program)).digest('hex').slice(0, 16);
  return `${program.split('/').at(-1)}.${digest}.v8cache`;
}

const WORKER_PROGRAM = join(dirname(WORKER_MAIN), 'repo-worker-program.cjs');
const SUPERVISOR_PROGRAM = join(dirname(SUPERVISOR_MAIN), 'supervisor-program.cjs');

async function fileOrUndefined(path: string): Promise<Buffer | undefined> {
  return readFile(path).catch(() => undefined);
}

/** A cache file's identity: a rewrite renames a new file over it, so another inode. */
async function identity(path: string): Promise<{ ino: number; mtimeMs: number }> {
  const { ino, mtimeMs } = await stat(path);
  return { ino, mtimeMs };
}

/** Where the window marker of a test's processes writes, and the environment that tells it. */
async function windowMarks(): Promise<{ folder: string; env: NodeJS.ProcessEnv }> {
  const folder = await temp.make('repovisor-marks-');
  return { folder, env: { CACHE_WINDOW_MARKS: folder } };
}

/** Resolves once the process `pid` (preloaded with the window marker) is past the moment it would write its cache. */
function pastTheWrite(marks: string, pid: number | null): Promise<true> {
  return waitFor(`process ${pid} to pass the moment of its cache write`, async () => (await fileOrUndefined(join(marks, String(pid)))) !== undefined);
}

/** Copies the built bundle folder `from` (without caches or source maps) to `to`. */
async function copyBundle(from: string, to: string): Promise<void> {
  await mkdir(to, { recursive: true });
  for (const name of await readdir(from)) {
    if (name.endsWith('.cjs') || name.endsWith('.txt')) await copyFile(join(from, name), join(to, name));
  }
}

/** A copy of the built worker, and of the supervisor beside it as installed packages lie, under `root`: caches beside these programs are the test's own. */
async function installCopy(root: string): Promise<{ supervisorMain: string; workerMain: string }> {
  const supervisorBundle = join(root, 'install', 'supervisor', 'dist', 'bundle');
  const workerPackage = join(root, 'install', 'worker');
  await copyBundle(dirname(SUPERVISOR_MAIN), supervisorBundle);
  await copyBundle(dirname(WORKER_MAIN), join(workerPackage, 'dist', 'bundle'));
  await writeFile(join(workerPackage, 'package.json'), JSON.stringify({ name: '@repovisor/worker' }));
  return { supervisorMain: join(supervisorBundle, 'supervisor.cjs'), workerMain: join(workerPackage, 'dist', 'bundle', 'repo-worker.cjs') };
}

/** The files in a folder, or none when it does not exist. */
async function filesIn(folder: string): Promise<string[]> {
  return (await readdir(folder).catch((): string[] => [])).sort();
}

describe('the worker code cache', () => {
  /** Starts a worker (the build's, or `main`), preloaded with the window marker, and resolves once it listens. */
  async function startWorker(codeCache: string | undefined, main = WORKER_MAIN): Promise<{ worker: TestChild; url: string; root: string; marks: string }> {
    const root = await temp.make();
    const marks = await windowMarks();
    const worker = children.start(process.execPath, ['-r', WINDOW_MARKER, main], {
      cwd: root,
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        REPOVISOR_SLUG: 'acme/alpha',
        REPOVISOR_REPO_PATH: await createGitRepo(join(root, 'repo')),
        REPOVISOR_DATA_ROOT: join(root, 'data'),
        ...marks.env,
        ...(codeCache === undefined ? {} : { REPOVISOR_CODE_CACHE: codeCache }),
      },
    });
    const url = await waitFor('the worker to listen', () => {
      const line = worker.stdout().split('\n').find((text) => text.includes('worker listening'));
      return line === undefined ? undefined : (JSON.parse(line) as { url: string }).url;
    });
    return { worker, url, root, marks: marks.folder };
  }

  /** The worker serves its express app (a separate file, required through the cached program) and stops cleanly. */
  async function servesAndStops({ worker, url }: { worker: TestChild; url: string }): Promise<void> {
    const response = await fetch(url);
    expect(response.status).toBe(200);
    expect(((await response.json()) as { runtimes: unknown[] }).runtimes).toHaveLength(1);
    process.kill(worker.pid, 'SIGTERM');
    expect(await worker.exited).toEqual({ code: 0, signal: null });
    expect(worker.stderr()).toBe('');
  }

  it('is written after a start that found none, into a folder it makes, and a later worker runs from it without writing it again', async () => {
    const folder = join(await temp.make(), 'not', 'yet');
    const cache = join(folder, await cacheName(WORKER_PROGRAM));
    const first = await startWorker(folder);
    // The folder is this test's: the cache there is the first worker's, written by the time of the mark.
    await pastTheWrite(first.marks, first.worker.pid);
    expect((await fileOrUndefined(cache))?.length).toBeGreaterThan(10_000);
    expect(await filesIn(folder)).toEqual([await cacheName(WORKER_PROGRAM)]);
    await servesAndStops(first);

    const before = await identity(cache);
    const second = await startWorker(folder);
    await pastTheWrite(second.marks, second.worker.pid);
    expect(await identity(cache)).toEqual(before);
    await servesAndStops(second);
  });

  it('is replaced when V8 refuses it, and the worker starts normally meanwhile', async () => {
    const folder = await temp.make();
    const cache = join(folder, await cacheName(WORKER_PROGRAM));
    const garbage = Buffer.from('not a V8 code cache\n'.repeat(100));
    await writeFile(cache, garbage);
    const started = await startWorker(folder);
    await pastTheWrite(started.marks, started.worker.pid);
    const replaced = await fileOrUndefined(cache);
    expect(replaced?.equals(garbage)).toBe(false);
    expect(replaced?.length).toBeGreaterThan(10_000);
    await servesAndStops(started);
  });

  it('is kept by default beside the program, named after the digest of the program', async () => {
    // A copy of the worker of this test's own: nothing else writes beside it.
    const { workerMain } = await installCopy(await temp.make());
    const bundle = dirname(workerMain);
    const shipped = await filesIn(bundle);
    const started = await startWorker(undefined, workerMain);
    await pastTheWrite(started.marks, started.worker.pid);
    expect(await filesIn(bundle)).toEqual([...shipped, await cacheName(WORKER_PROGRAM)].sort());
    await servesAndStops(started);
  });

  it('is neither read nor written with REPOVISOR_CODE_CACHE=off', async () => {
    const { workerMain } = await installCopy(await temp.make());
    const shipped = await filesIn(dirname(workerMain));
    const started = await startWorker('off', workerMain);
    await pastTheWrite(started.marks, started.worker.pid);
    // "off" is taken neither as a folder nor as a file in the worker's working folder, and nothing is written beside the program.
    expect(await filesIn(started.root)).toEqual(['data', 'repo']);
    expect(await filesIn(dirname(workerMain))).toEqual(shipped);
    await servesAndStops(started);
  });
});

describe('the supervisor code cache', () => {
  /** Starts a supervisor of one repo (the build's, or `main`), it and its workers preloaded with the window marker. */
  async function startSupervisor(env: NodeJS.ProcessEnv, main?: string): Promise<{ supervisor: RunningTestSupervisor; cwd: string; marks: string }> {
    const root = await temp.make();
    const marks = await windowMarks();
    const nodeOptions = [process.env.NODE_OPTIONS, `--require ${WINDOW_MARKER}`].filter((option) => option !== undefined && option !== '').join(' ');
    const supervisor = await rig.startOneRepo(root, { env: { ...env, ...marks.env, NODE_OPTIONS: nodeOptions }, cwd: root, main, probes: 'steady' });
    return { supervisor, cwd: root, marks: marks.folder };
  }

  /** The running worker's pid and `REPOVISOR_CODE_CACHE`, from its environment in /proc. */
  async function runningWorker(supervisor: RunningTestSupervisor): Promise<{ pid: number | null; setting: string | undefined }> {
    const { pid } = await rig.waitForRepo(supervisor, 'acme/alpha', 'running', (repo) => repo.status === 'running');
    const environ = (await readFile(`/proc/${pid}/environ`, 'utf8')).split('\0');
    return { pid, setting: environ.find((variable) => variable.startsWith('REPOVISOR_CODE_CACHE='))?.slice('REPOVISOR_CODE_CACHE='.length) };
  }

  /** Resolves once the supervisor and its worker are both past the moment of their cache writes. */
  async function bothPastTheWrite(started: { supervisor: RunningTestSupervisor; marks: string }, workerPid: number | null): Promise<void> {
    await pastTheWrite(started.marks, started.supervisor.child.pid);
    await pastTheWrite(started.marks, workerPid);
  }

  it('is written into the REPOVISOR_CODE_CACHE folder, which the workers are given too, and a later supervisor starts from it', async () => {
    const folder = join(await temp.make(), 'caches');
    const names = [await cacheName(SUPERVISOR_PROGRAM), await cacheName(WORKER_PROGRAM)].sort();
    const supervisorCache = join(folder, await cacheName(SUPERVISOR_PROGRAM));
    const workerCache = join(folder, await cacheName(WORKER_PROGRAM));
    const first = await startSupervisor({ REPOVISOR_CODE_CACHE: folder });
    const firstWorker = await runningWorker(first.supervisor);
    expect(firstWorker.setting).toBe(folder);
    // The folder is this test's: its caches are this supervisor's and its worker's.
    await bothPastTheWrite(first, firstWorker.pid);
    expect(await filesIn(folder)).toEqual(names);
    expect((await stat(supervisorCache)).size).toBeGreaterThan(10_000);
    expect(await rig.stop(first.supervisor)).toEqual({ code: 0, signal: null });

    const before = { supervisor: await identity(supervisorCache), worker: await identity(workerCache) };
    const second = await startSupervisor({ REPOVISOR_CODE_CACHE: folder });
    const secondWorker = await runningWorker(second.supervisor);
    expect(secondWorker.setting).toBe(folder);
    await bothPastTheWrite(second, secondWorker.pid);
    expect({ supervisor: await identity(supervisorCache), worker: await identity(workerCache) }).toEqual(before);
    expect(await rig.stop(second.supervisor)).toEqual({ code: 0, signal: null });
  });

  it('gives the workers a relative folder made absolute', async () => {
    const started = await startSupervisor({ REPOVISOR_CODE_CACHE: 'caches' });
    const worker = await runningWorker(started.supervisor);
    expect(worker.setting).toBe(join(started.cwd, 'caches'));
    await bothPastTheWrite(started, worker.pid);
    expect(await filesIn(join(started.cwd, 'caches'))).toEqual([await cacheName(SUPERVISOR_PROGRAM), await cacheName(WORKER_PROGRAM)].sort());
  });

  it('is replaced when V8 refuses it; a refused cache stops neither `status` nor `start`', async () => {
    const folder = await temp.make();
    const cache = join(folder, await cacheName(SUPERVISOR_PROGRAM));
    const garbage = Buffer.from('not a V8 code cache\n'.repeat(100));
    await writeFile(cache, garbage);
    // `status` ends before its cache timer would fire (the timer keeps no process alive): run to its end, it wrote nothing.
    const status = await rig.cli(['status', '--home', join(folder, 'nothing-here')], undefined, { REPOVISOR_CODE_CACHE: folder });
    expect(status.code).toBe(1);
    expect(status.stderr).toContain('No supervisor state in');
    expect(await readFile(cache)).toEqual(garbage);

    const started = await startSupervisor({ REPOVISOR_CODE_CACHE: folder });
    const worker = await runningWorker(started.supervisor);
    await bothPastTheWrite(started, worker.pid);
    const replaced = await fileOrUndefined(cache);
    expect(replaced?.equals(garbage)).toBe(false);
    expect(replaced?.length).toBeGreaterThan(10_000);
  });

  it('is kept by default beside the program, named after the digest of the program', async () => {
    // Copies of the supervisor and the worker of this test's own: nothing else writes beside them.
    const { supervisorMain, workerMain } = await installCopy(await temp.make());
    const shipped = { supervisor: await filesIn(dirname(supervisorMain)), worker: await filesIn(dirname(workerMain)) };
    const started = await startSupervisor({}, supervisorMain);
    const worker = await runningWorker(started.supervisor);
    expect(worker.setting).toBeUndefined();
    expect((await readFile(`/proc/${worker.pid}/cmdline`, 'utf8')).split('\0')).toContain(workerMain);
    await bothPastTheWrite(started, worker.pid);
    expect(await filesIn(dirname(supervisorMain))).toEqual([...shipped.supervisor, await cacheName(SUPERVISOR_PROGRAM)].sort());
    expect(await filesIn(dirname(workerMain))).toEqual([...shipped.worker, await cacheName(WORKER_PROGRAM)].sort());
  });

  it('is off for the supervisor and its workers with REPOVISOR_CODE_CACHE=off', async () => {
    const { supervisorMain, workerMain } = await installCopy(await temp.make());
    const shipped = { supervisor: await filesIn(dirname(supervisorMain)), worker: await filesIn(dirname(workerMain)) };
    const started = await startSupervisor({ REPOVISOR_CODE_CACHE: 'off' }, supervisorMain);
    const worker = await runningWorker(started.supervisor);
    expect(worker.setting).toBe('off');
    await bothPastTheWrite(started, worker.pid);
    // Neither took "off" for a folder in the working folder they share, nor wrote beside its program.
    expect(await filesIn(started.cwd)).toEqual(['home', 'repo', 'repos.yaml']);
    expect({ supervisor: await filesIn(dirname(supervisorMain)), worker: await filesIn(dirname(workerMain)) }).toEqual(shipped);
  });
});
