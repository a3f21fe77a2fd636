import { safeParse } from 'zod/v4/core';
import type { $ZodType } from 'zod/v4/core';
import { formatIssues } from './format-issues.js';
import type { Result } from './result.js';

/** The outcome of {@link parseJsonWith}: the value, or why the text is not one. */
export type JsonParseResult<T> = Result<{ value: T }, { reason: string }>;

/**
 * Parses `text` as JSON and checks it against `schema`, for files that both
 * processes read back (state files): never throws, and says what is wrong.
 */
export function parseJsonWith<T>(text: string, schema: $ZodType<T>): JsonParseResult<T> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { ok: false, reason: `not JSON: ${(error as Error).message}` };
  }
  const result = safeParse(schema, value);
  if (result.success) return { ok: true, value: result.data };
  return { ok: false, reason: formatIssues(result.error.issues) };
}
