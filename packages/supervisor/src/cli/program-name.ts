import { basename } from 'node:path';

/** The names the CLI is installed as (the package's `bin`). */
export const PROGRAM_NAMES = ['supervisor', 'repovisor'] as const;

/** One of {@link PROGRAM_NAMES}. */
export type ProgramName = (typeof PROGRAM_NAMES)[number];

/**
 * The name the CLI was run as, for its usage and messages: the file name of
 * `script` (`process.argv[1]`, a bin link keeps its own name) when it is one
 * of {@link PROGRAM_NAMES}, else `supervisor`.
 */
export function programName(script: string | undefined): ProgramName {
  const name = script === undefined ? '' : basename(script);
  return PROGRAM_NAMES.find((known) => known === name) ?? 'supervisor';
}
