import { describe, expect, it } from '@jest/globals';
import { secureRandomBytes } from '../src/secrets.js';

describe('secureRandomBytes', () => {
  it('gives exactly the bytes asked for, including none and many', () => {
    for (const size of [0, 1, 6, 16, 32, 65_536]) expect(secureRandomBytes(size)).toHaveLength(size);
  });

  it('never gives the same 32 bytes twice', () => {
    const seen = new Set(Array.from({ length: 5_000 }, () => secureRandomBytes(32).toString('hex')));
    expect(seen.size).toBe(5_000);
  });

  it('uses every bit: each of the 256 byte values turns up in 64 KiB', () => {
    expect(new Set(secureRandomBytes(65_536)).size).toBe(256);
  });
});
