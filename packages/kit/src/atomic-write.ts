import { close, fchmod, fsync, open, rename, unlink, writeFile } from './promised-fs.js';
import { basename, dirname, join } from 'node:path';

// Names this process's temporary files apart: the pid tells processes apart,
// the counter concurrent writes within one (no crypto needed for that).
let temporaryFiles = 0;

/**
 * A new temporary name beside `path`, `.<name>.<pid>.<n>.tmp`: hidden, and
 * named after the process that writes it, so that a later start can tell a
 * dead process's leftovers from a live one's.
 */
export function temporaryPathFor(path: string): string {
  temporaryFiles += 1;
  return join(dirname(path), `.${basename(path)}.${process.pid}.${temporaryFiles}.tmp`);
}

/** Options of {@link writeFileAtomic}. */
export interface AtomicWriteOptions {
  /** File mode of the new file, exactly, whatever the umask (without it: 0o644 less the umask). */
  mode?: number;
}

/**
 * Replaces `path` with `data` so that a crash at any moment leaves either the
 * old or the new content, never half: write a temporary file beside it, fsync
 * it, rename it over the target, then fsync the folder so the rename is durable.
 */
export async function writeFileAtomic(path: string, data: string, options: AtomicWriteOptions = {}): Promise<void> {
  const folder = dirname(path);
  const temporary = temporaryPathFor(path);
  const file = await open(temporary, 'w', options.mode ?? 0o644);
  try {
    // open()'s mode is narrowed by the umask; a mode asked for is set as asked.
    if (options.mode !== undefined) await fchmod(file, options.mode);
    await writeFile(file, data, 'utf8');
    await fsync(file);
  } catch (error) {
    await close(file);
    await unlink(temporary).catch(() => undefined);
    throw error;
  }
  await close(file);
  try {
    await rename(temporary, path);
  } catch (error) {
    await unlink(temporary).catch(() => undefined);
    throw error;
  }
  const directory = await open(folder, 'r');
  try {
    await fsync(directory);
  } finally {
    await close(directory);
  }
}
