/** Why a runtime start or stop was refused. */
export class RuntimeStateError extends Error {
  override readonly name = 'RuntimeStateError';
  constructor(
    readonly code: 'already_running' | 'not_running',
    message: string,
  ) {
    super(message);
  }
}

/**
 * True for a {@link RuntimeStateError}, also one thrown by another copy of
 * the class: the worker's express app is bundled apart from its runtime
 * (scripts/build/bundle.mjs), so `instanceof` cannot tell there.
 */
export function isRuntimeStateError(error: unknown): error is RuntimeStateError {
  return (
    error instanceof Error &&
    error.name === 'RuntimeStateError' &&
    ((error as { code?: unknown }).code === 'already_running' || (error as { code?: unknown }).code === 'not_running')
  );
}
