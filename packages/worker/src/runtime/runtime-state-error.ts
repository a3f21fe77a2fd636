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
