import { homePaths } from '../home/home-paths.js';
import { loadPrettyStream } from '../lazy-modules.js';
import { CliError, ExitCode } from './exit-codes.js';
import { findHome } from './find-home.js';
import type { HomeOptions } from './find-home.js';
import { followLog, lastLines } from './log-follower.js';
import { untilInterrupted } from './until-interrupted.js';

/** The options of `supervisor logs`. */
export type LogsOptions = HomeOptions & { follow?: boolean; lines?: string; json?: boolean; pretty?: boolean };

/** Writes log lines to stdout: through pino-pretty on a terminal (or with --pretty), as they are otherwise or with --json. */
async function lineWriter(options: LogsOptions): Promise<(line: string) => void> {
  const pretty = options.json !== true && (options.pretty === true || process.stdout.isTTY);
  if (!pretty) return (line) => process.stdout.write(`${line}\n`);
  const prettyStream = await loadPrettyStream();
  const stream = prettyStream({ colorize: process.stdout.isTTY, translateTime: 'HH:MM:ss.l', ignore: 'hostname', destination: 1, sync: true });
  return (line) => stream.write(`${line}\n`);
}

/**
 * `supervisor logs <slug> [-f] [-n N] [--json]`: the last lines of the
 * worker's log under the home (`logs/<owner-repo>.log`), pretty on a
 * terminal, raw with --json; -f follows it, across the supervisor's rotations,
 * until interrupted. It reads the file: it works with the supervisor down.
 */
export async function logsCommand(slug: string, options: LogsOptions): Promise<void> {
  const count = Number(options.lines ?? '50');
  if (!Number.isSafeInteger(count) || count < 0) throw new CliError(`-n must be a whole number of lines, got "${options.lines}"`, ExitCode.Usage);
  const file = homePaths(await findHome(options)).logFile(slug);
  const tail = await lastLines(file, count).catch((error: unknown) => {
    throw new CliError(`Cannot read the log of ${slug} (${file}): ${(error as Error).message}. Is ${slug} a repo of this home (supervisor status lists them)?`);
  });
  const write = await lineWriter(options);
  for (const line of tail.lines) write(line);
  if (options.follow !== true) return;
  const abort = new AbortController();
  await untilInterrupted(followLog(file, tail, write, abort.signal), () => abort.abort());
}
