import { basename } from 'node:path';

// The names the CLI is installed as (the package's `bin`).
const PROGRAM_NAMES = ['supervisor', 'repovisor'] as const;

/** A name the CLI is installed as (the package's `bin`). */
export type ProgramName = (typeof PROGRAM_NAMES)[number];

/**
 * The name the CLI was run as, for its usage and messages: the file name of
 * `script` (`process.argv[1]`, a bin link keeps its own name) when it is a
 * {@link ProgramName}, else `supervisor`.
 */
export function programName(script: string | undefined): ProgramName {
  const name = script === undefined ? '' : basename(script);
  return PROGRAM_NAMES.find((known) => known === name) ?? 'supervisor';
}
