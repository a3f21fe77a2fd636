import { open, stat } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';

/** How often a followed log is checked for new lines. */
const POLL_MS = 200;
const CHUNK_BYTES = 64 * 1024;

/** The last `count` lines of `file` (whole lines, read from its end), and the size they end at. */
export async function lastLines(file: string, count: number): Promise<{ lines: string[]; size: number; inode: number }> {
  const handle = await open(file, 'r');
  try {
    const { size, ino } = await handle.stat();
    let start = size;
    let text = '';
    while (start > 0 && text.split('\n').length <= count + 1) {
      const length = Math.min(CHUNK_BYTES, start);
      start -= length;
      const { buffer } = await handle.read({ buffer: Buffer.alloc(length), position: start, length });
      text = buffer.toString('utf8') + text;
    }
    const lines = text.split('\n');
    if (lines.at(-1) === '') lines.pop();
    return { lines: count === 0 ? [] : lines.slice(-count), size, inode: ino };
  } finally {
    await handle.close();
  }
}

/**
 * Follows `file` from byte `from` until `signal` aborts, handing each new
 * whole line to `onLine`. The supervisor rotates a worker log by copying it
 * to `<log>.1` and truncating it in place: a file shorter than what was read
 * (or a new file under the name) is read again from its start.
 */
export async function followLog(file: string, from: { size: number; inode: number }, onLine: (line: string) => void, signal: AbortSignal): Promise<void> {
  let position = from.size;
  let inode = from.inode;
  let partial = '';
  while (!signal.aborted) {
    const now = await stat(file).catch(() => undefined);
    if (now !== undefined && (now.ino !== inode || now.size < position)) {
      position = 0;
      partial = '';
      inode = now.ino;
    }
    if (now !== undefined && now.size > position) {
      const handle = await open(file, 'r');
      try {
        const length = now.size - position;
        const { buffer, bytesRead } = await handle.read({ buffer: Buffer.alloc(length), position, length });
        position += bytesRead;
        const lines = (partial + buffer.subarray(0, bytesRead).toString('utf8')).split('\n');
        partial = lines.pop() ?? '';
        for (const line of lines) onLine(line);
      } finally {
        await handle.close();
      }
      continue;
    }
    await sleep(POLL_MS, undefined, { signal }).catch(() => undefined);
  }
}
