import { closeSync, openSync, readSync } from 'node:fs';

/**
 * `size` cryptographically secure random bytes. They are read from
 * /dev/urandom (the kernel's generator, which OpenSSL itself draws from), so
 * that neither program loads node:crypto on its start path for a session id,
 * a token or a temporary file name; where /dev/urandom cannot be read,
 * node:crypto gives them.
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

/** A new secret of `bytes` random bytes (default 32) as lower-case hex. */
export function newSecret(bytes = 32): string {
  return secureRandomBytes(bytes).toString('hex');
}

/**
 * Whether `given` is `expected`, in time that reveals nothing about either:
 * both are hashed first, so neither the comparison nor a length check leaks
 * the secret's length or a matching prefix. A `given` that is not a string is
 * never the secret.
 */
export function sameSecret(given: unknown, expected: string): boolean {
  if (typeof given !== 'string') return false;
  // Taken on use: node:crypto stays off both programs' start paths.
  const { createHash, timingSafeEqual } = process.getBuiltinModule('node:crypto');
  const digest = (text: string): Buffer => createHash('sha256').update(text, 'utf8').digest();
  return timingSafeEqual(digest(given), digest(expected));
}
