import { afterEach, describe, expect, it } from '@jest/globals';
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ChildProcesses } from './helpers/child-processes.js';
import { REPO_ROOT } from './helpers/paths.js';
import { TempDirs } from './helpers/temp-dir.js';
import { waitFor } from './helpers/wait-for.js';

const temp = new TempDirs();
const children = new ChildProcesses();

afterEach(async () => {
  await children.killAll();
  await temp.cleanup();
});

describe('atomic state writes', () => {
  it('leave the old or the new content, never half, when the writer is killed with SIGKILL at any moment', async () => {
    const folder = await temp.make();
    const path = join(folder, 'supervisor-state.json');
    const versions = new Set<number>();
    // Four kills at each of seven moments; each round starts a node process, slow on a loaded machine.
    for (let round = 0; round < 28; round += 1) {
      const writer = children.start(process.execPath, [join(REPO_ROOT, 'tests', 'fixtures', 'state-writer.mjs'), path]);
      await waitFor('the first write', () => writer.stdout().includes('first write done'));
      // Kill it at a different moment of its write loop each round.
      await sleep(round % 7);
      process.kill(writer.pid, 'SIGKILL');
      await writer.exited;
      const text = await readFile(path, 'utf8');
      const state = JSON.parse(text) as { version: number; repos: { version: number }[] };
      expect(state.repos.length).toBe(50 + (state.version % 50));
      expect(state.repos.every((repo) => repo.version === state.version)).toBe(true);
      versions.add(state.version);
    }
    // The kills landed at many different points of the loop.
    expect(versions.size).toBeGreaterThan(1);
    const leftovers = (await readdir(folder)).filter((name) => name !== 'supervisor-state.json');
    expect(leftovers.every((name) => name.endsWith('.tmp'))).toBe(true);
  }, 240_000);
});
