import { readdirSync, readlinkSync, statSync } from 'node:fs';

/**
 * Whether process `pid` holds `file` open (the same file, by device and inode), from
 * `/proc/<pid>/fd`: a running supervisor keeps its home's `supervisor.pid` open, so a
 * pid that does not is not that home's supervisor, even if it is another home's.
 * Null when it cannot be told (no /proc, or the process belongs to another user).
 */
export function holdsFileOpen(pid: number, file: string): boolean | null {
  let target;
  try {
    target = statSync(file);
  } catch {
    return false;
  }
  const folder = `/proc/${pid}/fd`;
  let fds: string[];
  try {
    fds = readdirSync(folder);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return code === 'ENOENT' && processTableReadable() ? false : null;
  }
  const name = file.slice(file.lastIndexOf('/') + 1);
  for (const fd of fds) {
    try {
      // A cheap look at the path first; the inode decides (the home may have been moved or copied).
      if (!readlinkSync(`${folder}/${fd}`).includes(name)) continue;
      const open = statSync(`${folder}/${fd}`);
      if (open.dev === target.dev && open.ino === target.ino) return true;
    } catch {
      // Closed while we looked.
    }
  }
  return false;
}

function processTableReadable(): boolean {
  try {
    readdirSync(`/proc/${process.pid}/fd`);
    return true;
  } catch {
    return false;
  }
}
