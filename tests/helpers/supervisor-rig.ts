import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ChildProcesses, isAlive, pidsWhereEnv } from './child-processes.js';
import { createGitRepo } from './git-repo.js';
import type { TestChild } from './child-processes.js';
import { SUPERVISOR_MAIN } from './paths.js';
import { waitFor } from './wait-for.js';

/** A repo as `GET /api/repos` shows it (the fields tests read). */
export interface ApiRepo {
  slug: string;
  path: string;
  status: string;
  pid: number | null;
  restarts: number;
  last_error: string | null;
  last_probe: { ok: boolean; latency_ms: number; at: string } | null;
  runtime_url: string;
}

/** A supervisor process started by a test. */
export interface RunningTestSupervisor {
  child: TestChild;
  home: string;
  url: string;
  token: string;
}

/**
 * How the rig's supervisors probe their workers. `fast` (the default) fails a
 * worker after two probes of 2 s, for tests of unhealthy workers; a probe can
 * miss that on a slow machine. `steady` never fails a live worker within a
 * test (probes still run every 300 ms, each waits a minute, a thousand must
 * fail, and a hello may take two minutes): for tests that assert a worker was
 * not restarted, or restarted exactly as often as they made it.
 */
export type TestProbes = 'fast' | 'steady';

const HEALTH: Record<TestProbes, string> = {
  fast: '  health: {interval_ms: 300, timeout_ms: 2000, failure_threshold: 2}',
  steady: '  health: {interval_ms: 300, timeout_ms: 60000, failure_threshold: 1000}',
};

const START_TIMEOUT: Record<TestProbes, string> = { fast: '  start_timeout_ms: 20000', steady: '  start_timeout_ms: 120000' };

/** Test settings: fast probes (or {@link TestProbes} `steady`) and restarts, ephemeral ports. */
export function testSupervisorSection(home: string, extra = '', probes: TestProbes = 'fast'): string {
  return [
    'supervisor:',
    `  home: ${JSON.stringify(home)}`,
    '  http: {host: 127.0.0.1, port: 0}',
    HEALTH[probes],
    '  restart: {initial_delay_ms: 50, max_delay_ms: 500, max_restarts: 3, window_ms: 60000, stable_after_ms: 10000}',
    START_TIMEOUT[probes],
    '  stop_timeout_ms: 5000',
    '  grace_ms: 5000',
    extra,
  ]
    .filter((line) => line !== '')
    .join('\n');
}

/**
 * Starts supervisors for tests and, in {@link SupervisorRig.cleanup}, stops
 * them and ends, by pid, every worker process still running under the homes it
 * used, even when the test failed.
 */
export class SupervisorRig {
  readonly children = new ChildProcesses();
  private readonly homes = new Set<string>();

  /**
   * Starts a supervisor with the test settings and one repo, `acme/alpha`: a new git
   * repository, home and repos.yaml under `root`. `options` are {@link SupervisorRig.start}'s, and the probes' kind.
   */
  async startOneRepo(root: string, options: Parameters<SupervisorRig['start']>[2] & { probes?: TestProbes } = {}): Promise<RunningTestSupervisor & { repo: string }> {
    const repo = await createGitRepo(join(root, 'repo'));
    const home = join(root, 'home');
    const file = await this.writeConfig(root, `${testSupervisorSection(home, '', options.probes)}\nrepos:\n  - {path: ${JSON.stringify(repo)}, slug: acme/alpha}\n`);
    return { ...(await this.start(file, home, options)), repo };
  }

  /** Makes {@link SupervisorRig.cleanup} end every worker left under `home`, for supervisors a test starts by other means. */
  track(home: string): void {
    this.homes.add(home);
  }

  /** Writes a repos.yaml in `folder`. */
  async writeConfig(folder: string, yaml: string): Promise<string> {
    const file = join(folder, 'repos.yaml');
    await writeFile(file, yaml);
    return file;
  }

  /** Runs the CLI with `args` (in `cwd`, with extra environment `env`, and `input` on its stdin) and resolves with its exit code and output. */
  async cli(args: string[], cwd?: string, env: NodeJS.ProcessEnv = {}, input?: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
    const stdin = input === undefined ? 'ignore' : 'pipe';
    const child = this.children.start(process.execPath, [SUPERVISOR_MAIN, ...args], { cwd, env: { ...cleanEnv(), ...env }, stdio: [stdin, 'pipe', 'pipe'] });
    child.child.stdin?.end(input);
    const { code } = await child.exited;
    return { code, stdout: child.stdout(), stderr: child.stderr() };
  }

  /**
   * Starts `supervisor start <file>` for `home` and resolves once its API answers.
   * `options` can run another build of the CLI (`main`), with node flags, extra environment, another working folder
   * and another `--log-level` than `debug`.
   */
  async start(
    file: string,
    home: string,
    options: { main?: string; nodeArgs?: string[]; env?: NodeJS.ProcessEnv; cwd?: string; logLevel?: string } = {},
  ): Promise<RunningTestSupervisor> {
    this.homes.add(home);
    const args = [...(options.nodeArgs ?? []), options.main ?? SUPERVISOR_MAIN, 'start', file, '--no-pretty', '--log-level', options.logLevel ?? 'debug'];
    const child = this.children.start(process.execPath, args, { env: { ...cleanEnv(), ...options.env }, cwd: options.cwd });
    const started = waitFor(`the supervisor of ${home} to start`, () => {
      const line = child.stdout().split('\n').find((entry) => entry.includes('"supervisor started"'));
      if (line !== undefined) return (JSON.parse(line) as { http: string }).http;
      // Below `info` the log has no start line; the banner on stderr says the same.
      return /^ {2}API: +(\S+)\/api\/repos$/m.exec(child.stderr())?.[1];
    });
    const exited = child.exited.then(({ code }) => {
      throw new Error(`the supervisor exited with code ${code} before it started: ${child.stderr()}`);
    });
    const url = await Promise.race([started, exited]);
    exited.catch(() => undefined);
    const token = (await readFile(join(home, 'api-token'), 'utf8')).trim();
    return { child, home, url, token };
  }

  /** Calls the supervisor's API with its token (unless `token` is false). */
  async api<T = Record<string, unknown>>(
    supervisor: RunningTestSupervisor,
    method: string,
    path: string,
    body?: unknown,
    options: { token?: boolean; headers?: Record<string, string>; raw?: string } = {},
  ): Promise<{ status: number; body: T }> {
    const headers: Record<string, string> = { ...options.headers };
    if (options.token !== false) headers.authorization = `Bearer ${supervisor.token}`;
    if (body !== undefined || options.raw !== undefined) headers['content-type'] ??= 'application/json';
    const response = await fetch(supervisor.url + path, { method, headers, body: options.raw ?? (body === undefined ? undefined : JSON.stringify(body)) });
    const text = await response.text();
    return { status: response.status, body: (text === '' ? {} : JSON.parse(text)) as T };
  }

  /** The repos the supervisor lists. */
  async repos(supervisor: RunningTestSupervisor): Promise<ApiRepo[]> {
    return (await this.api<{ repos: ApiRepo[] }>(supervisor, 'GET', '/api/repos')).body.repos;
  }

  /** Resolves with the repo once `check` holds for it. */
  waitForRepo(supervisor: RunningTestSupervisor, slug: string, what: string, check: (repo: ApiRepo) => boolean, deadlineMs = 60_000): Promise<ApiRepo> {
    return waitFor(
      `${slug} ${what}`,
      async () => (await this.repos(supervisor)).find((repo) => repo.slug === slug && check(repo)),
      deadlineMs,
    );
  }

  /** Sends SIGTERM to a supervisor and resolves with its exit. */
  async stop(supervisor: RunningTestSupervisor): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    process.kill(supervisor.child.pid, 'SIGTERM');
    return supervisor.child.exited;
  }

  /** Ends every process started here and every worker left under the homes used. */
  async cleanup(): Promise<void> {
    await this.children.killAll();
    for (const home of this.homes) for (const pid of await workerPidsUnder(home)) killGroup(pid);
    for (const home of this.homes) {
      while ((await workerPidsUnder(home)).length > 0) await sleep(20);
    }
    this.homes.clear();
  }
}

/** Pids of live worker processes (and their children) whose data root lies under `home`. */
export function workerPidsUnder(home: string): Promise<number[]> {
  return pidsWhereEnv((variable) => variable.startsWith(`REPOVISOR_DATA_ROOT=${home}`));
}

/** Pids of live `repo-worker` processes (not their git children) whose data root lies under `home`. */
export async function workerMainPidsUnder(home: string): Promise<number[]> {
  const pids: number[] = [];
  for (const pid of await workerPidsUnder(home)) {
    try {
      if ((await readFile(`/proc/${pid}/cmdline`, 'utf8')).includes('worker/dist/bundle/repo-worker.cjs')) pids.push(pid);
    } catch {
      // Gone while we looked.
    }
  }
  return pids.sort((a, b) => a - b);
}

function killGroup(pid: number): void {
  for (const target of [-pid, pid]) {
    try {
      process.kill(target, 'SIGCONT');
      process.kill(target, 'SIGKILL');
    } catch {
      // Already gone, or not a group leader.
    }
  }
}

function cleanEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('REPOVISOR_')));
}

export { isAlive };
