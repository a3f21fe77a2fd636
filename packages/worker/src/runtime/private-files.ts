import { chmod, lstat, readdir } from '@repovisor/kit/promised-fs';
import { join } from 'node:path';

/** Mode of every file a worker writes in its data root: only its user may read it. */
export const PRIVATE_FILE_MODE = 0o600;
/** Mode of the data root and the folders in it. */
export const PRIVATE_FOLDER_MODE = 0o700;

/**
 * Brings the data root, the files in it and the workspace folders down to
 * {@link PRIVATE_FOLDER_MODE} and {@link PRIVATE_FILE_MODE}: files written by
 * an older worker, under a loose umask or moved aside keep the mode they had,
 * and a rename keeps it too. Workspaces' contents are the repository's and
 * are left alone: their folder is private. Links are not followed. A file
 * that cannot be changed is told to `onError`, and the worker carries on.
 */
export async function tightenDataRoot(dataRoot: string, onError: (path: string, error: unknown) => void): Promise<void> {
  const tighten = async (path: string, depth: number): Promise<void> => {
    let info;
    try {
      info = await lstat(path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') onError(path, error);
      return;
    }
    const wanted = info.isDirectory() ? PRIVATE_FOLDER_MODE : info.isFile() ? PRIVATE_FILE_MODE : undefined;
    if (wanted === undefined) return;
    if ((info.mode & 0o777 & ~wanted) !== 0) await chmod(path, wanted).catch((error: unknown) => onError(path, error));
    if (!info.isDirectory() || depth === 0) return;
    for (const name of await readdir(path).catch(() => [])) await tighten(join(path, name), depth - 1);
  };
  // The data root and what is in it; then the workspace folders in `workspaces/`.
  await tighten(dataRoot, 1);
  await tighten(join(dataRoot, 'workspaces'), 1);
}
