import { readFile } from 'node:fs/promises';
import { CliError, ExitCode } from './exit-codes.js';

/** A text given on the command line either inline (`--body TEXT`) or as a file (`--body-file F`, `-` for stdin). */
export interface TextOption {
  /** The inline option's name, e.g. `--body`. */
  flag: string;
  inline: string | undefined;
  file: string | undefined;
}

/**
 * The text of a {@link TextOption}: the inline value, or the file's content
 * (stdin for `-`). Exactly one of the two must be given; anything else, or a
 * file that cannot be read, is a usage error.
 */
export async function readTextOption({ flag, inline, file }: TextOption): Promise<string> {
  if (inline !== undefined && file !== undefined) throw new CliError(`Give either ${flag} or ${flag}-file, not both`, ExitCode.Usage);
  if (inline !== undefined) return inline;
  if (file === undefined) throw new CliError(`Missing ${flag} <text> or ${flag}-file <file> ('-' reads stdin)`, ExitCode.Usage);
  if (file === '-') return readStdin();
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    throw new CliError(`Cannot read ${flag}-file ${file}: ${(error as Error).message}`, ExitCode.Usage);
  }
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
  return Buffer.concat(chunks).toString('utf8');
}
