import * as z from 'zod/mini';

// The pieces repos.yaml's schemas are made of: each refuses a wrong value
// with a message that says what is expected and what was found.

const DAY_MS = 86_400_000;

/** How a value the file gave is named in a message: `"text"`, `3`, `a list`, `a mapping`. */
export function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean' || value === null) return String(value);
  return Array.isArray(value) ? 'a list' : 'a mapping';
}

/** A whole number from `min` to `max` (`unit` is said after the range). */
export function wholeNumber(min: number, max: number, unit = '') {
  const message = (issue: { input: unknown }) => `must be a whole number from ${min} to ${max}${unit}, got ${describe(issue.input)}`;
  return z.int({ error: message }).check(z.minimum(min, { error: message }), z.maximum(max, { error: message }));
}

/** A duration in milliseconds from `min` up to a day. */
export const milliseconds = (min: number) => wholeNumber(min, DAY_MS, ' (milliseconds)');
/** A TCP port; 0 picks a free one. */
export const port = wholeNumber(0, 65_535, ' (0 picks a free port)');
/** A host name or address. */
export const host = z.string({ error: 'must be a host name or address, e.g. 127.0.0.1' }).check(z.trim(), z.minLength(1, { error: 'must not be empty' }));
/** true or false. */
export const flag = z.boolean({ error: (issue) => `must be true or false, got ${describe(issue.input)}` });

/** A mapping that refuses keys it does not know, naming the ones it does. */
export function strictMapping<Shape extends z.core.$ZodLooseShape>(shape: Shape) {
  const expected = `expected one of: ${Object.keys(shape).join(', ')}`;
  return z.strictObject(shape, {
    error: (issue) => {
      if (issue.code === 'unrecognized_keys') return expected;
      return issue.code === 'invalid_type' ? `must be a mapping (${expected}), got ${describe(issue.input)}` : undefined;
    },
  });
}
