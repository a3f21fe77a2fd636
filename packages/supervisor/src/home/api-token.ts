import { lstat, readFile } from 'node:fs/promises';
import { newSecret } from '@repovisor/kit';
import { homePaths, HomeError } from './home-paths.js';
import { createFileExclusively } from './exclusive-file.js';

/** Mode of files holding secrets. */
const SECRET_FILE_MODE = 0o600;


/**
 * The API token in `<home>/api-token`, created (mode 0600) when missing.
 * Throws {@link HomeError} when the file is not a regular file, is readable by others, or is empty.
 */
export async function readOrCreateApiToken(home: string): Promise<string> {
  const path = homePaths(home).apiToken;
  const created = newSecret();
  if (await createFileExclusively(path, `${created}\n`, SECRET_FILE_MODE)) return created;

  const info = await lstat(path);
  if (!info.isFile()) throw new HomeError(`The API token ${path} is not a regular file; remove it so that a new token is made`);
  const mode = info.mode & 0o777;
  if ((mode & 0o077) !== 0) {
    throw new HomeError(
      `The API token ${path} has mode 0${mode.toString(8)}, so other users may read it; run 'chmod 600 ${path}', or delete it to make a new token`,
    );
  }
  const token = (await readFile(path, 'utf8')).trim();
  if (token === '') throw new HomeError(`The API token ${path} is empty; delete it so that a new token is made`);
  return token;
}
