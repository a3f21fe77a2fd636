import { readFileSync } from 'node:fs';
// The subpath, not the kit's index: `supervisor status` must load no zod (tests/cli-status-modules.test.ts).
import { isProcessAlive as isAlive, readProcessCommandLine } from '@repovisor/kit/process-identity';
import { resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { RepoView } from '../manager/repo-record.js';
import { holdsFileOpen } from '../home/pid-holder.js';
import { ApiClient } from './api-client.js';
import { CliError, ExitCode } from './exit-codes.js';
import { findHome } from './find-home.js';
import type { HomeOptions } from './find-home.js';
import { statusTable } from './status-table.js';
import { watchStatus } from './status-watch.js';

/** `supervisor status`: the table of repos (or JSON with --json); with --watch, redrawn until Ctrl-C. */
export async function statusCommand(options: HomeOptions & { json?: boolean; watch?: boolean; interval?: string }): Promise<void> {
  const client = ApiClient.forHome(await findHome(options));
  if (options.watch === true) return watchStatus(client, options.interval);
  const { repos } = await client.call<{ repos: RepoView[] }>('GET', '/api/repos');
  process.stdout.write(options.json === true ? `${JSON.stringify(repos, null, 2)}\n` : statusTable(repos));
}

/** `supervisor add <path>`: registers a repository and starts it. */
export async function addCommand(path: string, options: HomeOptions & { slug?: string; autostart?: boolean }): Promise<void> {
  const client = ApiClient.forHome(await findHome(options));
  const repo = await client.call<RepoView>('POST', '/api/repos', { path: resolve(path), slug: options.slug, autostart: options.autostart });
  process.stdout.write(`added ${repo.slug} (${repo.path}): ${repo.status}\n`);
}

/** `supervisor remove <slug>`: stops its worker and forgets it. */
export async function removeCommand(slug: string, options: HomeOptions & { purge?: boolean }): Promise<void> {
  const client = ApiClient.forHome(await findHome(options));
  await client.call('DELETE', `/api/repos/${slug}${options.purge === true ? '?purge=true' : ''}`);
  process.stdout.write(`removed ${slug}${options.purge === true ? ', its data root and its log files' : ''}\n`);
}

/** `supervisor restart <slug>`: stops and starts its worker. */
export async function restartCommand(slug: string, options: HomeOptions): Promise<void> {
  const client = ApiClient.forHome(await findHome(options));
  const repo = await client.call<RepoView>('POST', `/api/repos/${slug}/restart`);
  process.stdout.write(`restarted ${repo.slug}: ${repo.status}\n`);
}

/** `supervisor stop`: sends SIGTERM to the running supervisor and waits until it has exited. */
export async function stopCommand(options: HomeOptions & { timeout?: string }): Promise<void> {
  const home = await findHome(options);
  const pidFile = resolve(home, 'supervisor.pid');
  let pid: number;
  try {
    pid = Number.parseInt(readFileSync(pidFile, 'utf8').trim(), 10);
  } catch {
    throw new CliError(`No supervisor is running on ${home} (no ${pidFile})`);
  }
  if (!Number.isSafeInteger(pid) || pid <= 1) throw new CliError(`${pidFile} does not hold a pid`);
  const timeoutMs = Number(options.timeout ?? 60_000);
  if (!Number.isSafeInteger(timeoutMs) || timeoutMs < 0) throw new CliError(`--timeout must be a whole number of milliseconds, got "${options.timeout}"`, ExitCode.Usage);
  if (!isSupervisorProcess(pid)) throw new CliError(`No supervisor is running on ${home} (pid ${pid} from ${pidFile} is not a running supervisor)`);
  if (holdsFileOpen(pid, pidFile) === false) {
    throw new CliError(`No supervisor is running on ${home}: pid ${pid} from ${pidFile} is a supervisor of another home (the file is stale); remove ${pidFile}`);
  }
  process.kill(pid, 'SIGTERM');
  const deadline = Date.now() + timeoutMs;
  while (isAlive(pid)) {
    if (Date.now() > deadline) throw new CliError(`The supervisor (pid ${pid}) is still stopping after ${options.timeout ?? 60_000} ms`);
    await sleep(50);
  }
  process.stdout.write(`stopped the supervisor (pid ${pid})\n`);
}

// A pid file can outlive its supervisor and the pid be reused: only a `supervisor start` process is signalled.
function isSupervisorProcess(pid: number): boolean {
  if (!isAlive(pid)) return false;
  const args = readProcessCommandLine(pid);
  if (args === null) return true;
  return args.includes('start') && args.some((arg) => /supervisor(\/dist\/cli\/main\.js|\/dist\/bundle\/supervisor\.c?js)?$/.test(arg));
}
