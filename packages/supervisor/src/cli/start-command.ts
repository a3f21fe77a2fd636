import { pino } from 'pino';
import type { Logger } from 'pino';
import { ConfigError, loadConfig } from '../config/load-config.js';
import { SupervisorRunningError } from '../home/pid-lock.js';
import { loadPrettyStream } from '../lazy-modules.js';
import { StartAbortedError, startSupervisor } from '../supervisor.js';
import { CliError, ExitCode } from './exit-codes.js';

/** Options of `supervisor start`. */
export interface StartOptions {
  logLevel: string;
  pretty?: boolean;
}

// On a terminal the lines are made readable in this thread (pino-pretty as a
// stream), not in a transport's worker thread: that thread
// would have to load pino-pretty from a file path, which a bundle does not have.
async function makeLogger(options: StartOptions): Promise<Logger> {
  const pretty = options.pretty ?? process.stdout.isTTY;
  if (!pretty) return pino({ level: options.logLevel });
  const prettyStream = await loadPrettyStream();
  return pino({ level: options.logLevel }, prettyStream({ colorize: true, translateTime: 'HH:MM:ss.l', ignore: 'hostname', sync: true }));
}

/**
 * `supervisor start <repos.yaml>`: runs the supervisor in the foreground until
 * SIGINT, SIGTERM or SIGHUP (its terminal closed), then stops every worker and exits 0.
 * A signal during start-up gives the same clean stop.
 */
export async function startCommand(file: string, options: StartOptions): Promise<void> {
  // Listened for before anything is started: a signal at any moment of start-up must
  // stop the workers already launched, never fall through to the default action.
  const signalled = new AbortController();
  const received = new Promise<NodeJS.Signals>((resolve) => {
    const onSignal = (signal: NodeJS.Signals) => {
      if (!signalled.signal.aborted) signalled.abort(`received ${signal}`);
      resolve(signal);
    };
    // `on`, not `once`: Ctrl-C reaches a whole process group, so a wrapper that
    // also forwards it (npm start) delivers SIGINT twice, and a second signal
    // must not fall through to the default action and orphan the workers.
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    // A closed terminal must not leave workers behind; its output may be gone too.
    process.on('SIGHUP', onSignal);
  });
  process.stdout.on('error', () => undefined);
  process.stderr.on('error', () => undefined);
  let config;
  try {
    config = await loadConfig(file);
  } catch (error) {
    if (error instanceof ConfigError) throw new CliError(error.message, ExitCode.Usage);
    throw error;
  }
  const logger = await makeLogger(options);
  let supervisor;
  try {
    supervisor = await startSupervisor(config, logger, signalled.signal);
  } catch (error) {
    logger.flush();
    // Everything it had started is stopped again: the clean stop a signal asks for.
    if (error instanceof StartAbortedError) return;
    if (error instanceof SupervisorRunningError) throw new CliError(error.message, ExitCode.Failure);
    throw new CliError(`Cannot start the supervisor: ${(error as Error).message}`, ExitCode.Failure);
  }
  if (!signalled.signal.aborted) {
    process.stderr.write(
      `Repovisor supervisor is up (pid ${process.pid}).\n` +
        `  API:        ${supervisor.httpUrl}/api/repos\n` +
        `  API token:  ${supervisor.paths.apiToken} (send it as 'Authorization: Bearer <token>' on mutating calls)\n` +
        `  home:       ${supervisor.paths.home}\n` +
        `  try:        repovisor status --home ${supervisor.paths.home}\n`,
    );
  }
  const signal = await received;
  try {
    await supervisor.stop(`received ${signal}`);
  } catch (error) {
    logger.error({ err: error }, 'stop failed');
  }
  logger.flush();
}
