import { afterEach, describe, expect, it } from '@jest/globals';
import { createHash } from 'node:crypto';
import { readFile, readdir, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ChildProcesses } from './helpers/child-processes.js';
import type { TestChild } from './helpers/child-processes.js';
import { createGitRepo } from './helpers/git-repo.js';
import { SUPERVISOR_MAIN, WORKER_MAIN } from './helpers/paths.js';
import { SupervisorRig } from './helpers/supervisor-rig.js';
import type { RunningTestSupervisor } from './helpers/supervisor-rig.js';
import { TempDirs } from './helpers/temp-dir.js';
import { waitFor } from './helpers/wait-for.js';

// Each executable runs its bundled program through a V8 code cache
// (packages/protocol/src/code-cache/run-cached-program.cts), written ~3 s after
// a start that found none or found one V8 refused, named after the program's
// digest, in the folder REPOVISOR_CODE_CACHE names or beside the program.

/** Longer than an executable waits before it writes its cache (3 s). */
const PAST_THE_WRITE_MS = 4500;
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

describe('the worker code cache', () => {
  async function startWorker(codeCache: string | undefined): Promise<{ worker: TestChild; url: string; root: string }> {
    const root = await temp.make();
    const worker = children.start(process.execPath, [WORKER_MAIN], {
      cwd: root,
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        REPOVISOR_SLUG: 'acme/alpha',
        REPOVISOR_REPO_PATH: await createGitRepo(join(root, 'repo')),
        REPOVISOR_DATA_ROOT: join(root, 'data'),
        ...(codeCache === undefined ? {} : { REPOVISOR_CODE_CACHE: codeCache }),
      },
    });
    const url = await waitFor('the worker to listen', () => {
      const line = worker.stdout().split('\n').find((text) => text.includes('worker listening'));
      return line === undefined ? undefined : (JSON.parse(line) as { url: string }).url;
    });
    return { worker, url, root };
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
    const written = await waitFor('the code cache to be written', () => fileOrUndefined(cache));
    expect(written.length).toBeGreaterThan(10_000);
    await servesAndStops(first);

    const before = await identity(cache);
    const second = await startWorker(folder);
    await sleep(PAST_THE_WRITE_MS);
    expect(await identity(cache)).toEqual(before);
    await servesAndStops(second);
  });

  it('is replaced when V8 refuses it, and the worker starts normally meanwhile', async () => {
    const folder = await temp.make();
    const cache = join(folder, await cacheName(WORKER_PROGRAM));
    const garbage = Buffer.from('not a V8 code cache\n'.repeat(100));
    await writeFile(cache, garbage);
    const started = await startWorker(folder);
    const replaced = await waitFor('a valid code cache in place of the garbage', async () => {
      const content = await fileOrUndefined(cache);
      return content !== undefined && !content.equals(garbage) ? content : undefined;
    });
    expect(replaced.length).toBeGreaterThan(10_000);
    await servesAndStops(started);
  });

  it('is kept by default beside the program, named after the digest of the program', async () => {
    // Other tests' workers write the same file at the same time; this checks the name, written atomically by any of them.
    const name = await cacheName(WORKER_PROGRAM);
    const started = await startWorker(undefined);
    await waitFor('the default code cache file', async () => (await readdir(dirname(WORKER_PROGRAM))).includes(name));
    await servesAndStops(started);
  });

  it('is neither read nor written with REPOVISOR_CODE_CACHE=off', async () => {
    const started = await startWorker('off');
    await sleep(PAST_THE_WRITE_MS);
    // "off" is taken neither as a folder nor as a file in the worker's working folder.
    expect((await readdir(started.root)).sort()).toEqual(['data', 'repo']);
    await servesAndStops(started);
  });
});

describe('the supervisor code cache', () => {
  async function startSupervisor(env: NodeJS.ProcessEnv): Promise<{ supervisor: RunningTestSupervisor; cwd: string }> {
    const root = await temp.make();
    return { supervisor: await rig.startOneRepo(root, { env, cwd: root }), cwd: root };
  }

  /** The running worker's `REPOVISOR_CODE_CACHE`, from its environment in /proc. */
  async function workerSetting(supervisor: RunningTestSupervisor): Promise<string | undefined> {
    const { pid } = await rig.waitForRepo(supervisor, 'acme/alpha', 'running', (repo) => repo.status === 'running');
    const environ = (await readFile(`/proc/${pid}/environ`, 'utf8')).split('\0');
    return environ.find((variable) => variable.startsWith('REPOVISOR_CODE_CACHE='))?.slice('REPOVISOR_CODE_CACHE='.length);
  }

  it('is written into the REPOVISOR_CODE_CACHE folder, which the workers are given too, and a later supervisor starts from it', async () => {
    const folder = join(await temp.make(), 'caches');
    const supervisorCache = join(folder, await cacheName(SUPERVISOR_PROGRAM));
    const workerCache = join(folder, await cacheName(WORKER_PROGRAM));
    const first = await startSupervisor({ REPOVISOR_CODE_CACHE: folder });
    expect(await workerSetting(first.supervisor)).toBe(folder);
    await waitFor('both code caches to be written', async () => (await fileOrUndefined(supervisorCache)) !== undefined && (await fileOrUndefined(workerCache)) !== undefined);
    expect((await stat(supervisorCache)).size).toBeGreaterThan(10_000);
    expect(await rig.stop(first.supervisor)).toEqual({ code: 0, signal: null });

    const before = await identity(supervisorCache);
    const second = await startSupervisor({ REPOVISOR_CODE_CACHE: folder });
    expect(await workerSetting(second.supervisor)).toBe(folder);
    await sleep(PAST_THE_WRITE_MS);
    expect(await identity(supervisorCache)).toEqual(before);
    expect(await rig.stop(second.supervisor)).toEqual({ code: 0, signal: null });
  });

  it('gives the workers a relative folder made absolute', async () => {
    const { supervisor, cwd } = await startSupervisor({ REPOVISOR_CODE_CACHE: 'caches' });
    expect(await workerSetting(supervisor)).toBe(join(cwd, 'caches'));
    const names = [await cacheName(SUPERVISOR_PROGRAM), await cacheName(WORKER_PROGRAM)];
    await waitFor('both code caches in the folder', async () => {
      const found = await readdir(join(cwd, 'caches')).catch((): string[] => []);
      return names.every((name) => found.includes(name));
    });
  });

  it('is replaced when V8 refuses it; a refused cache stops neither `status` nor `start`', async () => {
    const folder = await temp.make();
    const cache = join(folder, await cacheName(SUPERVISOR_PROGRAM));
    const garbage = Buffer.from('not a V8 code cache\n'.repeat(100));
    await writeFile(cache, garbage);
    const status = await rig.cli(['status', '--home', join(folder, 'nothing-here')], undefined, { REPOVISOR_CODE_CACHE: folder });
    expect(status.code).toBe(1);
    expect(status.stderr).toContain('No supervisor state in');
    expect(await readFile(cache)).toEqual(garbage);

    const { supervisor } = await startSupervisor({ REPOVISOR_CODE_CACHE: folder });
    await rig.waitForRepo(supervisor, 'acme/alpha', 'running', (repo) => repo.status === 'running');
    await waitFor('a valid code cache in place of the garbage', async () => {
      const content = await fileOrUndefined(cache);
      return content !== undefined && !content.equals(garbage);
    });
  });

  it('is kept by default beside the program, named after the digest of the program', async () => {
    const name = await cacheName(SUPERVISOR_PROGRAM);
    const { supervisor } = await startSupervisor({});
    expect(await workerSetting(supervisor)).toBeUndefined();
    await waitFor('the default code cache file', async () => (await readdir(dirname(SUPERVISOR_PROGRAM))).includes(name));
  });

  it('is off for the supervisor and its workers with REPOVISOR_CODE_CACHE=off', async () => {
    const { supervisor, cwd } = await startSupervisor({ REPOVISOR_CODE_CACHE: 'off' });
    expect(await workerSetting(supervisor)).toBe('off');
    await sleep(PAST_THE_WRITE_MS);
    // Neither took "off" for a folder in the working folder they share.
    expect((await readdir(cwd)).sort()).toEqual(['home', 'repo', 'repos.yaml']);
  });
});
