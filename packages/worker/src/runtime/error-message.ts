/**
 * The message of anything thrown: an error's `message` (one from another
 * realm too, which `instanceof Error` misses), else the value as a string.
 */
export function errorMessage(error: unknown): string {
  if (typeof error === 'object' && error !== null && 'message' in error && typeof error.message === 'string') return error.message;
  return String(error);
}
