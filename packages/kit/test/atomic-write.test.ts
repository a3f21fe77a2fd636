import { afterEach, describe, expect, it } from '@jest/globals';
import { readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../src/index.js';
import { ChildProcesses } from '../../../tests/helpers/child-processes.js';
import { REPO_ROOT } from '../../../tests/helpers/paths.js';
import { TempDirs } from '../../../tests/helpers/temp-dir.js';
import { waitFor } from '../../../tests/helpers/wait-for.js';

const temp = new TempDirs();
const children = new ChildProcesses();
afterEach(async () => {
  await children.killAll();
  await temp.cleanup();
});

const CRASH_FIXTURE = join(REPO_ROOT, 'tests', 'fixtures', 'atomic-write-crash.mjs');

describe('writeFileAtomic', () => {
  it('writes the content with the mode asked for, and leaves no temporary file', async () => {
    const folder = await temp.make();
    const path = join(folder, 'state.json');
    await writeFileAtomic(path, '{"a":1}\n', { mode: 0o600 });
    expect(await readFile(path, 'utf8')).toBe('{"a":1}\n');
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect(await readdir(folder)).toEqual(['state.json']);
  });

  it('lets concurrent writes of one process to one file all succeed, the file holding one of them whole', async () => {
    const folder = await temp.make();
    const path = join(folder, 'state.json');
    const contents = Array.from({ length: 20 }, (_, index) => `${JSON.stringify({ index, pad: 'x'.repeat(index * 100) })}\n`);
    await Promise.all(contents.map((content) => writeFileAtomic(path, content)));
    expect(contents).toContain(await readFile(path, 'utf8'));
    expect(await readdir(folder)).toEqual(['state.json']);
  });

  it('replaces an existing file', async () => {
    const folder = await temp.make();
    const path = join(folder, 'state.json');
    await writeFileAtomic(path, 'old\n');
    await writeFileAtomic(path, 'new\n');
    expect(await readFile(path, 'utf8')).toBe('new\n');
  });

  it('leaves the old content whole when the writer is killed before any of its calls into node:fs up to the rename, and the new one after it', async () => {
    // Each round runs the real writeFileAtomic (the build) in a child stopped before its n-th fs call, then SIGKILLs it there.
    const folder = await temp.make();
    const path = join(folder, 'state.json');
    const before = `${JSON.stringify({ version: 1, pad: 'o'.repeat(100_000) })}\n`;
    const after = `${JSON.stringify({ version: 2, pad: 'n'.repeat(200_000) })}\n`;
    const seen: { pausedBefore: string; target: string; temporaries: Record<string, string> }[] = [];
    const source = join(await temp.make(), 'new-content');
    await writeFile(source, after);
    for (let stopAt = 1; ; stopAt += 1) {
      await writeFile(path, before);
      const child = children.start(process.execPath, [CRASH_FIXTURE, path, source, String(stopAt)]);
      const outcome = await waitFor(`the writer to pause before fs call ${stopAt} or finish`, () => {
        const out = child.stdout();
        if (out.includes('done\n')) return 'done';
        return /paused before (\S+)/.exec(out)?.[1] ?? (child.child.exitCode === null ? undefined : `exit ${child.child.exitCode}: ${child.stderr()}`);
      });
      if (outcome === 'done') break;
      expect(outcome).toMatch(/^[a-zA-Z]+$/);
      process.kill(child.pid, 'SIGKILL');
      await child.exited;
      const target = await readFile(path, 'utf8');
      const temporaries: Record<string, string> = {};
      for (const name of (await readdir(folder)).filter((entry) => entry !== 'state.json')) {
        temporaries[name] = await readFile(join(folder, name), 'utf8');
        await rm(join(folder, name));
      }
      seen.push({ pausedBefore: outcome, target: target === before ? 'old' : target === after ? 'new' : `torn (${target.length} bytes)`, temporaries });
      expect(stopAt).toBeLessThan(20);
    }
    // Wherever it was killed, the target holds one content whole.
    expect(seen.filter((round) => round.target !== 'old' && round.target !== 'new')).toEqual([]);
    const renameAt = seen.findIndex((round) => round.pausedBefore === 'rename');
    expect(renameAt).toBeGreaterThan(0);
    // Until the rename the target is the old content, whole; from it on, the new one.
    expect(seen.map((round) => round.target)).toEqual(seen.map((_, index) => (index <= renameAt ? 'old' : 'new')));
    // Killed between write and rename: the new content sits whole in a temporary file, and the target was never touched.
    const temporaries = Object.entries(seen[renameAt]?.temporaries ?? {});
    expect(temporaries).toEqual([[expect.stringMatching(/^\.state\.json\.\d+\.1\.tmp$/), after]]);
  });
});
