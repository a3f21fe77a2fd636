import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Temporary folders made by a test, removed by {@link TempDirs.cleanup}. */
export class TempDirs {
  private readonly made: string[] = [];

  /** Makes a new empty folder under the OS temp folder. */
  async make(prefix = 'repovisor-test-'): Promise<string> {
    const path = await mkdtemp(join(tmpdir(), prefix));
    this.made.push(path);
    return path;
  }

  /** Removes every folder made so far. */
  async cleanup(): Promise<void> {
    await Promise.all(this.made.splice(0).map((path) => rm(path, { recursive: true, force: true })));
  }
}
