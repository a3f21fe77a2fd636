/** The CLI's exit codes. */
export const ExitCode = {
  /** It worked. */
  Ok: 0,
  /** It failed (the supervisor answered with an error, or is not running). */
  Failure: 1,
  /** The command line or the configuration is wrong. */
  Usage: 2,
} as const;

/** A failure the CLI reports as one message and an exit code, without a stack trace. */
export class CliError extends Error {
  override readonly name = 'CliError';
  constructor(
    message: string,
    readonly exitCode: number = ExitCode.Failure,
  ) {
    super(message);
  }
}
