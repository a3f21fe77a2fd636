import { afterEach, describe, expect, it } from '@jest/globals';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { findWorkerPackage, workerEntryPath } from '../src/launch/worker-entry.js';
import { REPO_ROOT } from '../../../tests/helpers/paths.js';
import { TempDirs } from '../../../tests/helpers/temp-dir.js';

const temp = new TempDirs();
afterEach(() => temp.cleanup());

/** Writes a package.json named `name` in `folder` (and the folder). */
async function fakePackage(folder: string, name: string): Promise<string> {
  await mkdir(folder, { recursive: true });
  await writeFile(join(folder, 'package.json'), JSON.stringify({ name, version: '0.0.0' }));
  return folder;
}

describe('findWorkerPackage', () => {
  it('finds @repovisor/worker beside the supervisor package, as installed under node_modules/@repovisor', async () => {
    const root = await temp.make();
    const supervisor = await fakePackage(join(root, 'node_modules', '@repovisor', 'supervisor'), '@repovisor/supervisor');
    const worker = await fakePackage(join(root, 'node_modules', '@repovisor', 'worker'), '@repovisor/worker');
    expect(findWorkerPackage(supervisor)).toBe(worker);
  });

  it('prefers a copy nested in the supervisor package, as node resolution does', async () => {
    const root = await temp.make();
    const supervisor = await fakePackage(join(root, 'node_modules', '@repovisor', 'supervisor'), '@repovisor/supervisor');
    await fakePackage(join(root, 'node_modules', '@repovisor', 'worker'), '@repovisor/worker');
    const nested = await fakePackage(join(supervisor, 'node_modules', '@repovisor', 'worker'), '@repovisor/worker');
    expect(findWorkerPackage(supervisor)).toBe(nested);
  });

  it('finds the copy a packed supervisor carries in dist/worker, when no worker is beside it', async () => {
    const root = await temp.make();
    const supervisor = await fakePackage(join(root, 'lib', 'node_modules', '@repovisor', 'supervisor'), '@repovisor/supervisor');
    const packed = await fakePackage(join(supervisor, 'dist', 'worker'), '@repovisor/worker');
    expect(findWorkerPackage(supervisor)).toBe(packed);
  });

  it("prefers the checkout's worker beside the supervisor package to a packed copy left in dist/worker", async () => {
    const root = await temp.make();
    const supervisor = await fakePackage(join(root, 'packages', 'supervisor'), '@repovisor/supervisor');
    await fakePackage(join(supervisor, 'dist', 'worker'), '@repovisor/worker');
    const beside = await fakePackage(join(root, 'packages', 'worker'), '@repovisor/worker');
    expect(findWorkerPackage(supervisor)).toBe(beside);
  });

  it('ignores a sibling folder named worker that is another package, and resolves as node does', async () => {
    const root = await temp.make();
    const supervisor = await fakePackage(join(root, 'apps', 'supervisor'), '@repovisor/supervisor');
    await fakePackage(join(root, 'apps', 'worker'), 'someone-elses-worker');
    const resolved = await fakePackage(join(root, 'node_modules', '@repovisor', 'worker'), '@repovisor/worker');
    expect(findWorkerPackage(supervisor)).toBe(resolved);
  });

  it('fails with node’s own error when there is no @repovisor/worker to be found', async () => {
    const supervisor = await fakePackage(join(await temp.make(), 'supervisor'), '@repovisor/supervisor');
    expect(() => findWorkerPackage(supervisor)).toThrow(/Cannot find module '@repovisor\/worker\/package.json'/);
  });
});

describe('workerEntryPath', () => {
  it('is the worker bundle of this checkout', () => {
    expect(workerEntryPath()).toBe(join(REPO_ROOT, 'packages', 'worker', 'dist', 'bundle', 'repo-worker.cjs'));
  });
});
