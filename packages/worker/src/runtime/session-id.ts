import { closeSync, openSync, readSync } from 'node:fs';

/**
 * A new random (version 4) UUID naming one run of a runtime. The 16 random
 * bytes come from /dev/urandom, not node:crypto: loading crypto would add
 * some twenty internal modules to every worker's start (docs/BENCHMARKS.md,
 * "Worker start"). Where /dev/urandom cannot be read, crypto is used.
 */
export function newSessionId(): string {
  const bytes = Buffer.alloc(16);
  try {
    const fd = openSync('/dev/urandom', 'r');
    try {
      if (readSync(fd, bytes, 0, 16, null) !== 16) return fallbackUuid();
    } finally {
      closeSync(fd);
    }
  } catch {
    return fallbackUuid();
  }
  bytes[6] = (bytes[6]! & 0x0f) | 0x40; // version 4
  bytes[8] = (bytes[8]! & 0x3f) | 0x80; // RFC 4122 variant
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

function fallbackUuid(): string {
  return process.getBuiltinModule('node:crypto').randomUUID();
}
