import { afterEach, describe, expect, it } from '@jest/globals';
import { join } from 'node:path';
import { JsonLineLogger, DuplicateRuntimeError, RepoRuntime, RepoRuntimeRegistry } from '@repovisor/worker';
import { createGitRepo } from '../../../tests/helpers/git-repo.js';
import { TempDirs } from '../../../tests/helpers/temp-dir.js';

const logger = new JsonLineLogger({ level: 'silent' });
const temp = new TempDirs();
let registry: RepoRuntimeRegistry;

afterEach(async () => {
  await registry.stopAll();
  await temp.cleanup();
});

async function config(slug: string) {
  const root = await temp.make();
  return { slug, repoPath: await createGitRepo(join(root, 'repo')), dataRoot: join(root, 'data'), watchIntervalMs: 50 };
}

describe('RepoRuntimeRegistry with no runtime', () => {
  it('lists nothing, finds nothing, and starts and stops nothing', async () => {
    registry = new RepoRuntimeRegistry(logger);
    expect(registry.all()).toEqual([]);
    expect(registry.slugs()).toEqual([]);
    expect(registry.get('acme/alpha')).toBeUndefined();
    expect(await registry.remove('acme/alpha')).toBe(false);
    await registry.startAll();
    await registry.stopAll();
  });
});

describe('RepoRuntimeRegistry with one runtime', () => {
  it('adds through RepoRuntime.create and finds it as owner/repo and owner-repo', async () => {
    registry = new RepoRuntimeRegistry(logger);
    const runtime = await registry.add(await config('acme/alpha'));
    expect(runtime).toBeInstanceOf(RepoRuntime);
    expect(registry.slugs()).toEqual(['acme/alpha']);
    expect(registry.get('acme/alpha')).toBe(runtime);
    expect(registry.get('acme-alpha')).toBe(runtime);
    expect(registry.all()).toEqual([runtime]);
  });

  it('refuses a second runtime with the same slug, by add and by register', async () => {
    registry = new RepoRuntimeRegistry(logger);
    await registry.add(await config('acme/alpha'));
    await expect(registry.add(await config('acme/alpha'))).rejects.toBeInstanceOf(DuplicateRuntimeError);
    const other = await RepoRuntime.create(await config('acme/alpha'), logger);
    expect(() => registry.register(other)).toThrow(/already registered/);
    expect(registry.all()).toHaveLength(1);
  });

  it('starts and stops all, and remove stops the runtime before forgetting it', async () => {
    registry = new RepoRuntimeRegistry(logger);
    const runtime = await registry.add(await config('solo'));
    await registry.startAll();
    expect(runtime.running).toBe(true);
    await registry.startAll();
    expect(runtime.running).toBe(true);
    await registry.stopAll();
    expect(runtime.running).toBe(false);
    await registry.startAll();
    expect(await registry.remove('solo')).toBe(true);
    expect(runtime.running).toBe(false);
    expect(registry.get('solo')).toBeUndefined();
  });
});
