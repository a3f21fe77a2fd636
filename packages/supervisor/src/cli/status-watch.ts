import { setTimeout as sleep } from 'node:timers/promises';
import type { RepoView } from '../manager/repo-record.js';
import type { ApiClient } from './api-client.js';
import { CliError, ExitCode } from './exit-codes.js';
import { statusTable } from './status-table.js';
import { untilInterrupted } from './until-interrupted.js';

/** Clears a terminal and puts the cursor top left. */
const CLEAR = '\u001b[H\u001b[2J';

/**
 * `supervisor status --watch`: the status table, asked for again every
 * `interval` ms and redrawn in place on a terminal (printed one after the
 * other otherwise), until Ctrl-C. A failed call is shown and retried.
 */
export async function watchStatus(client: ApiClient, interval: string | undefined): Promise<void> {
  const intervalMs = Number(interval ?? '2000');
  if (!Number.isSafeInteger(intervalMs) || intervalMs < 100) throw new CliError(`--interval must be a whole number of milliseconds, at least 100, got "${interval}"`, ExitCode.Usage);
  const abort = new AbortController();
  const draw = async () => {
    while (!abort.signal.aborted) {
      let body: string;
      try {
        body = statusTable((await client.call<{ repos: RepoView[] }>('GET', '/api/repos')).repos);
      } catch (error) {
        body = `${(error as Error).message}\n`;
      }
      const heading = `Every ${intervalMs / 1000}s: supervisor status (${client.baseUrl})  ${new Date().toISOString()}\n\n`;
      process.stdout.write(`${process.stdout.isTTY ? CLEAR : '\n'}${heading}${body}`);
      await sleep(intervalMs, undefined, { signal: abort.signal }).catch(() => undefined);
    }
  };
  await untilInterrupted(draw(), () => abort.abort());
}
