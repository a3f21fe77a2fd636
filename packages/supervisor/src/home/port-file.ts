import { unlink } from 'node:fs/promises';
import { writeFileAtomic } from '@repovisor/kit';
import { homePaths } from './home-paths.js';

/** Writes the control port to `<home>/supervisor-port` (decimal and a newline, atomically, mode 0600). */
export async function writePortFile(home: string, port: number): Promise<void> {
  if (!Number.isInteger(port) || port < 1 || port > 65_535) {
    throw new RangeError(`Cannot write supervisor-port: ${port} is not a bound TCP port (1-65535); write the port the server actually listens on`);
  }
  await writeFileAtomic(homePaths(home).portFile, `${port}\n`, { mode: 0o600 });
}

/** Removes `<home>/supervisor-port`; nothing happens when it is already gone. */
export async function removePortFile(home: string): Promise<void> {
  await unlink(homePaths(home).portFile).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'ENOENT') throw error;
  });
}
