import { afterEach, describe, expect, it } from '@jest/globals';
import { readFile, readdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { newWorkerToken } from '../src/state/state-schema.js';
import type { StoredRepo, StoredState } from '../src/state/state-schema.js';
import { StateStore } from '../src/state/state-store.js';
import { TempDirs } from '../../../tests/helpers/temp-dir.js';

const temp = new TempDirs();
afterEach(() => temp.cleanup());

function repo(slug: string, overrides: Partial<StoredRepo> = {}): StoredRepo {
  return {
    slug,
    path: `/srv/${slug}`,
    autostart: true,
    env: {},
    source: 'config',
    addedAt: '2025-01-02T03:04:05.000Z',
    token: newWorkerToken(),
    pid: null,
    pidStartTicks: null,
    httpPort: null,
    ...overrides,
  };
}

function collectingLogger(): { warnings: { obj: object; msg: string }[]; warn(obj: object, msg: string): void } {
  const warnings: { obj: object; msg: string }[] = [];
  return { warnings, warn: (obj, msg) => warnings.push({ obj, msg }) };
}

describe('StateStore', () => {
  it('starts empty without a file', async () => {
    const store = await StateStore.open(await temp.make());
    expect(store.get()).toEqual({ version: 1, controlPort: null, repos: [] });
    expect(store.recovered).toBeUndefined();
  });

  it('saves to a 0600 file and loads the same state back', async () => {
    const home = await temp.make();
    const store = await StateStore.open(home);
    const state: StoredState = {
      version: 1,
      controlPort: 40123,
      repos: [repo('acme/alpha', { pid: 4242, pidStartTicks: 987654, httpPort: 8123, env: { A: 'b' } }), repo('solo', { source: 'api' })],
    };
    await store.save(state);
    expect((await stat(join(home, 'supervisor-state.json'))).mode & 0o777).toBe(0o600);
    expect(JSON.parse(await readFile(join(home, 'supervisor-state.json'), 'utf8'))).toEqual(state);
    expect((await StateStore.open(home)).get()).toEqual(state);
  });

  it('hands out copies that do not change the stored state', async () => {
    const store = await StateStore.open(await temp.make());
    const copy = store.get();
    copy.repos.push(repo('acme/alpha'));
    expect(store.get().repos).toEqual([]);
  });

  it('writes concurrent saves in call order, so the last one wins', async () => {
    const home = await temp.make();
    const store = await StateStore.open(home);
    const finished: number[] = [];
    await Promise.all(
      Array.from({ length: 30 }, (_, index) =>
        store.save({ version: 1, controlPort: 1000 + index, repos: [] }).then(() => finished.push(index)),
      ),
    );
    expect(finished).toEqual(Array.from({ length: 30 }, (_, index) => index));
    expect(JSON.parse(await readFile(join(home, 'supervisor-state.json'), 'utf8'))).toMatchObject({ controlPort: 1029 });
    expect(store.get().controlPort).toBe(1029);
    expect((await readdir(home)).sort()).toEqual(['supervisor-state.json', 'supervisor-state.json.bak']);
    expect(await readFile(join(home, 'supervisor-state.json.bak'), 'utf8')).toBe(await readFile(join(home, 'supervisor-state.json'), 'utf8'));
  });

  it('restores the registry from the backup when the main file is corrupt or missing', async () => {
    const home = await temp.make();
    const store = await StateStore.open(home);
    await store.save({ version: 1, controlPort: 4321, repos: [] });
    await writeFile(join(home, 'supervisor-state.json'), 'garbage');
    const restored = await StateStore.open(home, collectingLogger());
    expect(restored.get().controlPort).toBe(4321);
    expect(restored.recovered).toMatchObject({ fromBackup: true, reason: expect.stringContaining('not JSON') });
    expect(await readFile(restored.recovered?.movedTo ?? '', 'utf8')).toBe('garbage');
    const { unlink } = await import('node:fs/promises');
    await unlink(join(home, 'supervisor-state.json'));
    const again = await StateStore.open(home, collectingLogger());
    expect(again.get().controlPort).toBe(4321);
    expect(again.recovered).toMatchObject({ fromBackup: true, movedTo: null });
  });

  it('moves a corrupt file aside with a warning and keeps its content', async () => {
    const home = await temp.make();
    const broken = '{"version": 1, "repos": [';
    await writeFile(join(home, 'supervisor-state.json'), broken);
    const logger = collectingLogger();
    const store = await StateStore.open(home, logger);
    expect(store.get().repos).toEqual([]);
    const movedTo = store.recovered?.movedTo ?? '';
    expect(movedTo).toMatch(/supervisor-state\.json\.corrupt-\d+$/);
    expect(store.recovered?.reason).toContain('not JSON');
    expect(await readFile(movedTo, 'utf8')).toBe(broken);
    expect(logger.warnings).toEqual([{ obj: expect.objectContaining({ movedTo }) as unknown, msg: expect.stringContaining('moved it aside') as unknown }]);
    expect(await readdir(home)).toEqual([movedTo.slice(home.length + 1)]);
  });

  it('moves aside a JSON file that is not a valid state', async () => {
    const home = await temp.make();
    await writeFile(join(home, 'supervisor-state.json'), JSON.stringify({ version: 1, controlPort: null, repos: [{ slug: '../x' }] }));
    const store = await StateStore.open(home);
    expect(store.recovered?.reason).toContain('repos.0.slug');
  });

  it('refuses to save an invalid state', async () => {
    const store = await StateStore.open(await temp.make());
    await expect(store.save({ version: 1, controlPort: 70000, repos: [] })).rejects.toThrow('controlPort');
  });
});
