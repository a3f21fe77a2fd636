import { describe, expect, it } from '@jest/globals';
// Internal: a runtime's session ids are only seen through RepoRuntime.sessionId.
import { newSessionId } from '../src/runtime/session-id.js';

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('newSessionId', () => {
  it('returns RFC 4122 version 4 UUIDs', () => {
    for (let i = 0; i < 200; i += 1) expect(newSessionId()).toMatch(UUID_V4);
  });

  it('never repeats itself', () => {
    const ids = new Set(Array.from({ length: 10_000 }, () => newSessionId()));
    expect(ids.size).toBe(10_000);
  });

  it('uses all the random bits outside the version and variant', () => {
    // Every hex digit position but the version's takes more than one value over many ids.
    const seen = Array.from({ length: 36 }, () => new Set<string>());
    for (let i = 0; i < 500; i += 1) [...newSessionId()].forEach((char, index) => seen[index]!.add(char));
    const varying = seen.map((values, index) => ({ index, count: values.size })).filter(({ count }) => count > 1).map(({ index }) => index);
    const fixed = [8, 13, 14, 18, 23]; // four dashes and the version digit
    expect(varying).toEqual([...Array(36).keys()].filter((index) => !fixed.includes(index)));
  });
});
