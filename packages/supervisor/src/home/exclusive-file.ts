import { link, open, readdir, unlink } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { isProcessAlive, temporaryPathFor } from '@repovisor/kit';

/**
 * Creates `path` holding `data` only if it does not exist yet; resolves false when it already did.
 * Readers never see it empty or half written: the content is written and synced
 * under a temporary name first, then hard-linked into place (link fails if the name is taken).
 * The temporary file is removed whatever happens, a failed write (ENOSPC) included.
 */
export async function createFileExclusively(path: string, data: string, mode: number): Promise<boolean> {
  const file = await createAndOpenExclusively(path, data, mode);
  if (file === null) return false;
  await file.close();
  return true;
}

/** Like {@link createFileExclusively}, but resolves with the new file still open (null when it already existed). */
export async function createAndOpenExclusively(path: string, data: string, mode: number): Promise<FileHandle | null> {
  const temporary = temporaryPathFor(path);
  const file = await open(temporary, 'wx', mode);
  let linked = false;
  try {
    await file.writeFile(data, 'utf8');
    await file.sync();
    await link(temporary, path);
    linked = true;
    return file;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return null;
    throw error;
  } finally {
    if (!linked) await file.close().catch(() => undefined);
    await unlink(temporary).catch(() => undefined);
  }
}

/**
 * Removes the temporary files (`.<name>.<pid>.<n>.tmp`, from the kit's temporaryPathFor) of `path`
 * that a process no longer running left behind (killed, or a failed unlink); another live process's are kept.
 */
export async function removeStaleTemporaries(path: string): Promise<void> {
  const folder = dirname(path);
  const prefix = `.${basename(path)}.`;
  let names: string[];
  try {
    names = await readdir(folder);
  } catch {
    return;
  }
  for (const name of names) {
    if (!name.startsWith(prefix) || !name.endsWith('.tmp')) continue;
    const pid = Number(name.slice(prefix.length).split('.')[0]);
    if (pid === process.pid || !isProcessAlive(pid)) await unlink(join(folder, name)).catch(() => undefined);
  }
}
