import { mkdir, open } from 'node:fs/promises';
import type { WriteStream } from 'node:fs';
import { dirname } from 'node:path';

// How a stderr line is told apart from stdout lines in a transcript file.
const STDERR_PREFIX = '[stderr] ';

/** The transcript file of one agent run: its stdout lines as they are, its stderr lines marked. */
export interface Transcript {
  /** Appends one stdout line. */
  stdout(line: string): void;
  /** Appends one stderr line, marked with {@link STDERR_PREFIX}. */
  stderr(line: string): void;
  /** Writes out what is buffered and closes the file; resolves with why a write failed, or null. */
  close(): Promise<string | null>;
}

/**
 * Opens (appending: a run resumed after a crash keeps the first one's lines)
 * the transcript file at `path`, mode 0600 in a folder made 0700: an agent's
 * output may quote the repository's secrets.
 */
export async function openTranscript(path: string): Promise<Transcript> {
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  const handle = await open(path, 'a', 0o600);
  // open()'s mode is narrowed by the umask, and a file that existed keeps its own.
  await handle.chmod(0o600);
  const stream: WriteStream = handle.createWriteStream({ encoding: 'utf8' });
  let failure: string | null = null;
  // A full disk must not end the worker: the run goes on, and its result says the transcript is incomplete.
  stream.on('error', (error) => (failure ??= `${path}: ${error.message}`));
  return {
    stdout: (line) => stream.write(`${line}\n`),
    stderr: (line) => stream.write(`${STDERR_PREFIX}${line}\n`),
    close: () =>
      new Promise<string | null>((resolve) => {
        if (stream.closed) resolve(failure);
        stream.once('close', () => resolve(failure));
        stream.end();
      }),
  };
}
