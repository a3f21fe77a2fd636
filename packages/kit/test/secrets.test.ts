import { describe, expect, it } from '@jest/globals';
import { newSecret, sameSecret, secureRandomBytes } from '../src/secrets.js';

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

describe('newSecret', () => {
  it('gives lower-case hex of the bytes asked for (32 by default), new each time', () => {
    expect(newSecret()).toMatch(/^[0-9a-f]{64}$/);
    expect(newSecret(6)).toMatch(/^[0-9a-f]{12}$/);
    expect(newSecret()).not.toBe(newSecret());
  });
});

describe('sameSecret', () => {
  it('is true only for the very secret', () => {
    const secret = newSecret();
    expect(sameSecret(secret, secret)).toBe(true);
    expect(sameSecret(`${secret} `, secret)).toBe(false);
    expect(sameSecret(secret.slice(0, -1), secret)).toBe(false);
    expect(sameSecret(secret.toUpperCase(), secret)).toBe(false);
    expect(sameSecret('', secret)).toBe(false);
  });

  it('is false for anything that is not a string', () => {
    for (const given of [undefined, null, 42, {}, ['a'], Buffer.from('x')]) expect(sameSecret(given, 'x')).toBe(false);
  });
});
