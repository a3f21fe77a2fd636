import { closeSync, openSync, readSync } from 'node:fs';

/**
 * `size` cryptographically secure random bytes, read from /dev/urandom (the
 * kernel's generator, which OpenSSL itself draws from) rather than taken from
 * node:crypto, whose import adds some twenty internal modules to a process's
 * start (docs/BENCHMARKS.md): worker session ids, the supervisor's tokens and
 * temporary file names. Where /dev/urandom cannot be read, node:crypto is used.
 */
export function secureRandomBytes(size: number): Buffer {
  const bytes = Buffer.alloc(size);
  try {
    const fd = openSync('/dev/urandom', 'r');
    try {
      for (let filled = 0; filled < size; ) {
        const read = readSync(fd, bytes, filled, size - filled, null);
        if (read <= 0) throw new Error('/dev/urandom gave no bytes');
        filled += read;
      }
    } finally {
      closeSync(fd);
    }
    return bytes;
  } catch {
    return process.getBuiltinModule('node:crypto').randomBytes(size);
  }
}
