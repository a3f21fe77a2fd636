import { WebSocket } from 'ws';
import { ApiClient } from './api-client.js';
import { eventLine } from './event-line.js';
import type { CliFrame } from './event-line.js';
import { CliError, ExitCode } from './exit-codes.js';
import { findHome } from './find-home.js';
import type { HomeOptions } from './find-home.js';
import { untilInterrupted } from './until-interrupted.js';

/** The options of `supervisor events`. */
export type EventsOptions = HomeOptions & { all?: boolean; follow?: boolean; json?: boolean; since?: string };

/** The stream's URL: `ws://…/ws?repo=<slug|__all__>[&since=<n>]`. */
function streamUrl(baseUrl: string, repo: string, since: string | undefined): string {
  const query = new URLSearchParams({ repo, ...(since === undefined ? {} : { since }) });
  return `${baseUrl.replace(/^http:/, 'ws:')}/ws?${query.toString()}`;
}

/**
 * `supervisor events <slug|--all> [-f] [--json] [--since N]`: the repo's (or
 * every repo's) events through the supervisor's `/ws`, one line each (the raw
 * frames with --json). Without -f it ends after the replay (`replay_done`);
 * with -f it follows until interrupted.
 */
export async function eventsCommand(slug: string | undefined, options: EventsOptions): Promise<void> {
  if ((slug === undefined) === (options.all !== true)) throw new CliError('Name one repo, or pass --all for every repo (not both)', ExitCode.Usage);
  if (options.since !== undefined && !/^\d{1,15}$/.test(options.since)) throw new CliError(`--since must be an event id (a whole number), got "${options.since}"`, ExitCode.Usage);
  const client = ApiClient.forHome(await findHome(options));
  const socket = new WebSocket(streamUrl(client.baseUrl, slug ?? '__all__', options.since), { perMessageDeflate: false });
  const ended = new Promise<void>((resolve, reject) => {
    socket.on('message', (data: Buffer) => {
      const text = data.toString('utf8');
      const frame = JSON.parse(text) as CliFrame;
      if (frame.type === 'replay_done') {
        if (options.follow !== true) socket.close(1000);
        return;
      }
      process.stdout.write(options.json === true ? `${text}\n` : `${eventLine(frame)}\n`);
    });
    socket.on('error', (error) => reject(new CliError(`Cannot stream the events from ${client.baseUrl}: ${error.message}. Is the supervisor running?`)));
    socket.on('close', (code, reason) => {
      if (code === 1000 || code === 1005) resolve();
      else reject(new CliError(`The event stream closed (${code}): ${reason.toString('utf8') || 'no reason given'}`));
    });
  });
  if (options.follow === true) await untilInterrupted(ended, () => socket.close(1000));
  else await ended;
}
