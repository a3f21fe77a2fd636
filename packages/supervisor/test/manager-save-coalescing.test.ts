import { afterEach, describe, expect, it } from '@jest/globals';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { RepoManager } from '../src/manager/repo-manager.js';
import type { RepoRecord } from '../src/manager/repo-record.js';
import { testRepoRecord } from './helpers/test-repo-record.js';
import { StateStore } from '../src/state/state-store.js';

// The manager's saves against the real state store in a temporary home: calls
// that come while a save runs share one later save, and each call resolves
// only once a save that began after it is on disk.

const folders: string[] = [];

afterEach(async () => {
  for (const folder of folders.splice(0)) await rm(folder, { recursive: true, force: true });
});

const record = (slug: string): RepoRecord => testRepoRecord(slug);

interface Rig {
  manager: RepoManager;
  writes: RepoRecord[][];
  /** Holds every write until `release()`. */
  hold: () => void;
  release: () => void;
  stored: () => Promise<RepoRecord[]>;
}

async function rig(slugs: string[]): Promise<Rig> {
  const home = await mkdtemp(join(tmpdir(), 'repovisor-save-'));
  folders.push(home);
  const store = await StateStore.open(home);
  const writes: RepoRecord[][] = [];
  let gate: Promise<void> | undefined;
  let open: (() => void) | undefined;
  const manager = new RepoManager(
    {
      settings: {
        health: { intervalMs: 1000, timeoutMs: 1000, failureThreshold: 3, httpIntervalMs: 10_000 },
        restart: { initialDelayMs: 500, maxDelayMs: 30_000, maxRestarts: 5, windowMs: 60_000, stableAfterMs: 10_000 },
        startTimeoutMs: 10_000,
        stopTimeoutMs: 5000,
        graceMs: 1000,
      },
      logFile: (slug) => join(home, `${slug}.log`),
      dataRoot: (slug) => join(home, slug),
      controlAddress: () => '127.0.0.1:1',
      persist: async (repos) => {
        writes.push(repos);
        await gate;
        await store.save({ version: 1, controlPort: 40000, http: null, repos });
      },
      logger: pino({ level: 'silent' }),
    },
    slugs.map(record),
  );
  return {
    manager,
    writes,
    hold: () => {
      gate = new Promise((resolve) => (open = resolve));
    },
    release: () => {
      gate = undefined;
      open?.();
    },
    stored: async () => (JSON.parse(await readFile(store.path, 'utf8')) as { repos: RepoRecord[] }).repos,
  };
}

describe('RepoManager.save', () => {
  it('writes once for calls made together, and every call resolves once the registry is on disk', async () => {
    const { manager, writes, stored } = await rig(['alpha', 'beta']);
    await Promise.all(Array.from({ length: 20 }, () => manager.save()));
    expect(writes).toHaveLength(1);
    expect((await stored()).map((repo) => repo.slug)).toEqual(['alpha', 'beta']);
  });

  it('gathers the calls made while a save runs into one later save, which writes the latest registry', async () => {
    const { manager, writes, hold, release, stored } = await rig(['alpha']);
    hold();
    const first = manager.save();
    // Let the first save start and block in its write.
    while (writes.length === 0) await new Promise((resolve) => setImmediate(resolve));

    let laterSettled = 0;
    const later = Array.from({ length: 10 }, (_, index) => {
      manager.updateRecord('alpha', { pid: 1000 + index });
      return manager.save().then(() => (laterSettled += 1));
    });
    await new Promise((resolve) => setImmediate(resolve));
    expect(writes).toHaveLength(1);
    expect(laterSettled).toBe(0);

    release();
    await Promise.all([first, ...later]);
    expect(writes).toHaveLength(2);
    expect(writes[0]?.[0]?.pid).toBeNull();
    expect(writes[1]?.[0]?.pid).toBe(1009);
    expect((await stored())[0]?.pid).toBe(1009);
  });

  it('still saves after a failed save, and reports the failure to the calls that shared it', async () => {
    const { manager, writes, stored } = await rig(['alpha']);
    // Not a valid record: the state store refuses to write it.
    manager.updateRecord('alpha', { pid: -5 });
    await expect(Promise.all([manager.save(), manager.save()])).rejects.toThrow(/invalid supervisor state/);
    expect(writes).toHaveLength(1);
    manager.updateRecord('alpha', { pid: 42 });
    await manager.save();
    expect((await stored())[0]?.pid).toBe(42);
  });
});
