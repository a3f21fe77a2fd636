import { afterEach, describe, expect, it } from '@jest/globals';
import { readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '@repovisor/kit';
import { StateTracker } from '@repovisor/worker';
import { TempDirs } from '../../../tests/helpers/temp-dir.js';

const temp = new TempDirs();
afterEach(() => temp.cleanup());

describe('StateTracker', () => {
  it('starts empty, persists every update, and loads it back', async () => {
    const folder = await temp.make();
    const tracker = await StateTracker.load({ folder, slug: 'acme/alpha' });
    expect(tracker.get().starts).toBe(0);
    await tracker.update({ starts: 3, lastSessionId: 'abc' });
    const onDisk = JSON.parse(await readFile(join(folder, 'state.json'), 'utf8')) as { starts: number };
    expect(onDisk.starts).toBe(3);
    const again = await StateTracker.load({ folder, slug: 'acme/alpha' });
    expect(again.get()).toMatchObject({ starts: 3, lastSessionId: 'abc', slug: 'acme/alpha' });
  });

  it('keeps the last of many concurrent updates and leaves no temporary file', async () => {
    const folder = await temp.make();
    const tracker = await StateTracker.load({ folder, slug: 'acme/alpha' });
    await Promise.all(Array.from({ length: 50 }, (_, index) => tracker.update({ starts: index + 1 })));
    const onDisk = JSON.parse(await readFile(join(folder, 'state.json'), 'utf8')) as { starts: number };
    expect(onDisk.starts).toBe(50);
    expect(await readdir(folder)).toEqual(['state.json']);
  });

  it('loads a state file of an earlier version that has a workspaces list, and drops that key at the next write', async () => {
    const folder = await temp.make();
    const earlier = {
      version: 1,
      slug: 'acme/alpha',
      starts: 2,
      lastSessionId: 'abc',
      lastStartedAt: null,
      lastStoppedAt: null,
      lastError: null,
      repo: null,
      workspaces: [1, 3],
    };
    await writeFile(join(folder, 'state.json'), JSON.stringify(earlier));
    const moved: string[] = [];
    const tracker = await StateTracker.load({ folder, slug: 'acme/alpha', onCorrupt: (to) => moved.push(to) });
    expect(moved).toEqual([]);
    expect(tracker.get()).toEqual({ ...earlier, workspaces: undefined });
    expect('workspaces' in tracker.get()).toBe(false);
    await tracker.update({ starts: 3 });
    const onDisk = JSON.parse(await readFile(join(folder, 'state.json'), 'utf8')) as Record<string, unknown>;
    expect(onDisk).toMatchObject({ starts: 3, lastSessionId: 'abc' });
    expect('workspaces' in onDisk).toBe(false);
  });

  it('moves a corrupt state file aside instead of losing it', async () => {
    const folder = await temp.make();
    await writeFile(join(folder, 'state.json'), '{"version": 1, "starts": "many"');
    const moved: string[] = [];
    const tracker = await StateTracker.load({ folder, slug: 'acme/alpha', onCorrupt: (to) => moved.push(to) });
    expect(tracker.get().starts).toBe(0);
    expect(moved).toHaveLength(1);
    expect(await readFile(moved[0] ?? '', 'utf8')).toBe('{"version": 1, "starts": "many"');
  });
});

describe('writeFileAtomic', () => {
  it('replaces the content whole and applies the mode', async () => {
    const folder = await temp.make();
    const path = join(folder, 'secret.json');
    await writeFileAtomic(path, 'old', { mode: 0o600 });
    await writeFileAtomic(path, 'new', { mode: 0o600 });
    expect(await readFile(path, 'utf8')).toBe('new');
    const { stat } = await import('node:fs/promises');
    expect((await stat(path)).mode & 0o777).toBe(0o600);
  });
});
