import { link, open, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { secureRandomBytes } from '@repovisor/protocol';

/**
 * Creates `path` holding `data` only if it does not exist yet; resolves false when it already did.
 * Readers never see it empty or half written: the content is written and synced
 * under a temporary name first, then hard-linked into place (link fails if the name is taken).
 */
export async function createFileExclusively(path: string, data: string, mode: number): Promise<boolean> {
  const temporary = join(dirname(path), `.${basename(path)}.${process.pid}.${secureRandomBytes(6).toString('hex')}.tmp`);
  const file = await open(temporary, 'wx', mode);
  try {
    await file.writeFile(data, 'utf8');
    await file.sync();
  } finally {
    await file.close();
  }
  try {
    await link(temporary, path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  } finally {
    await unlink(temporary).catch(() => undefined);
  }
}
