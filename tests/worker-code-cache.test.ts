import { afterEach, describe, expect, it } from '@jest/globals';
import { createHash } from 'node:crypto';
import { readFile, readdir, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ChildProcesses } from './helpers/child-processes.js';
import type { TestChild } from './helpers/child-processes.js';
import { createGitRepo } from './helpers/git-repo.js';
import { WORKER_MAIN } from './helpers/paths.js';
import { TempDirs } from './helpers/temp-dir.js';
import { waitFor } from './helpers/wait-for.js';

// The worker's executable runs its program through a V8 code cache
// (packages/worker/src/bin/repo-worker.cts), written ~3 s after a start that
// found none or found one V8 refused. These tests point it at a cache file of
// their own with REPOVISOR_CODE_CACHE.

/** Longer than the executable waits before it writes the cache (3 s). */
const PAST_THE_WRITE_MS = 4500;
const temp = new TempDirs();
const children = new ChildProcesses();

afterEach(async () => {
  await children.killAll();
  await temp.cleanup();
});

async function startWorker(codeCache: string | undefined): Promise<{ worker: TestChild; url: string }> {
  const root = await temp.make();
  const worker = children.start(process.execPath, [WORKER_MAIN], {
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
  return { worker, url };
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

async function fileOrUndefined(path: string): Promise<Buffer | undefined> {
  return readFile(path).catch(() => undefined);
}

describe('the worker code cache', () => {
  it('is written after a start that found none, and a later worker runs from it without writing it again', async () => {
    const cache = join(await temp.make(), 'worker.v8cache');
    const first = await startWorker(cache);
    const written = await waitFor('the code cache to be written', () => fileOrUndefined(cache));
    expect(written.length).toBeGreaterThan(10_000);
    await servesAndStops(first);

    const before = await stat(cache);
    const second = await startWorker(cache);
    await sleep(PAST_THE_WRITE_MS);
    const after = await stat(cache);
    // A rewrite renames a new file over it: another inode.
    expect({ ino: after.ino, mtimeMs: after.mtimeMs }).toEqual({ ino: before.ino, mtimeMs: before.mtimeMs });
    await servesAndStops(second);
  });

  it('is replaced when V8 refuses it, and the worker starts normally meanwhile', async () => {
    const cache = join(await temp.make(), 'worker.v8cache');
    const garbage = Buffer.from('not a V8 code cache\n'.repeat(100));
    await writeFile(cache, garbage);
    const started = await startWorker(cache);
    const replaced = await waitFor('a valid code cache in place of the garbage', async () => {
      const content = await fileOrUndefined(cache);
      return content !== undefined && !content.equals(garbage) ? content : undefined;
    });
    expect(replaced.length).toBeGreaterThan(10_000);
    await servesAndStops(started);
  });

  it('is kept by default beside the program, named after the digest of the program', async () => {
    // Other tests' workers write the same file at the same time; this checks the name, written atomically by any of them.
    const folder = dirname(WORKER_MAIN);
    const digest = createHash('sha256')
      .update(await readFile(join(folder, 'repo-worker-program.cjs')))
      .digest('hex')
      .slice(0, 16);
    const started = await startWorker(undefined);
    await waitFor('the default code cache file', async () => (await readdir(folder)).includes(`repo-worker-program.cjs.${digest}.v8cache`));
    await servesAndStops(started);
  });

  it('is neither read nor written with REPOVISOR_CODE_CACHE=off', async () => {
    const started = await startWorker('off');
    await sleep(PAST_THE_WRITE_MS);
    // "off" is not taken as a file name either.
    expect(await fileOrUndefined(join(process.cwd(), 'off'))).toBeUndefined();
    await servesAndStops(started);
  });
});
