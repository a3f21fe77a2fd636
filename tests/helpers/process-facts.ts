import { readFile } from 'node:fs/promises';

/** The environment of process `pid`, read from /proc. */
export async function environOf(pid: number): Promise<Record<string, string>> {
  const text = await readFile(`/proc/${pid}/environ`, 'utf8');
  return Object.fromEntries(
    text
      .split('\0')
      .filter((entry) => entry.includes('='))
      .map((entry) => [entry.slice(0, entry.indexOf('=')), entry.slice(entry.indexOf('=') + 1)]),
  );
}

/**
 * True when bytes sent to local TCP `port` wait unread on an established
 * connection (the listener is frozen, say), from /proc/net/tcp's rx_queue.
 */
export async function hasUnreadBytesAt(port: number): Promise<boolean> {
  const hex = port.toString(16).toUpperCase().padStart(4, '0');
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text: string;
    try {
      text = await readFile(table, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      // local_address rem_address st tx_queue:rx_queue …; st 01 is ESTABLISHED.
      const [, local, , state, queues] = line.trim().split(/\s+/);
      if (local?.endsWith(`:${hex}`) === true && state === '01' && Number.parseInt(queues?.split(':')[1] ?? '0', 16) > 0) return true;
    }
  }
  return false;
}

/** True when this process runs as root (some tests chown files to another user). */
export function runsAsRoot(): boolean {
  return process.getuid?.() === 0;
}
