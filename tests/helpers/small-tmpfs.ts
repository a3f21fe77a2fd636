import { execFile } from 'node:child_process';
import { statfs } from 'node:fs/promises';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Free bytes of the file system that holds `path`, as an unprivileged writer sees them. */
export async function freeBytes(path: string): Promise<number> {
  const info = await statfs(path);
  return info.bavail * info.bsize;
}

/**
 * Small tmpfs file systems mounted by a test, to fill a disk for real
 * (ENOSPC), and unmounted in {@link SmallTmpfs.unmountAll} (call it from
 * afterEach, after ending the processes that use them).
 */
export class SmallTmpfs {
  private readonly mounted: string[] = [];

  /** Mounts a tmpfs of `bytes` on the existing empty folder `folder`, mode 0700. Needs root. */
  async mount(folder: string, bytes: number): Promise<void> {
    if (typeof process.getuid === 'function' && process.getuid() !== 0) {
      throw new Error(`This test mounts a ${bytes}-byte tmpfs on ${folder} to fill a disk for real, which needs root: run it as root (CI and the dev machine do).`);
    }
    await run('mount', ['-t', 'tmpfs', '-o', `size=${bytes},mode=0700`, 'tmpfs', folder]);
    this.mounted.push(folder);
  }

  /** Unmounts every tmpfs mounted here. */
  async unmountAll(): Promise<void> {
    for (const folder of this.mounted.splice(0).reverse()) await run('umount', [folder]);
  }
}
