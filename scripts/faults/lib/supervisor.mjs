// A real supervisor started from a repos.yaml, and its HTTP API.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cleanEnv, isAlive, workerPidsUnder } from './processes.mjs';
import { waitFor } from './wait.mjs';

/** The compiled supervisor CLI and worker entry point (`npm run build`). */
export const SUPERVISOR_MAIN = fileURLToPath(new URL('../../../packages/supervisor/dist/bundle/supervisor.cjs', import.meta.url));
export const WORKER_MAIN = fileURLToPath(new URL('../../../packages/worker/dist/bundle/repo-worker.cjs', import.meta.url));

/** Fast probes and restarts on ephemeral ports; `overrides` replaces whole lines by key (e.g. `{grace_ms: 20000}`). */
export function supervisorYaml(home, overrides = {}, repos = []) {
  const lines = {
    home: JSON.stringify(home),
    http: '{host: 127.0.0.1, port: 0}',
    health: '{interval_ms: 300, timeout_ms: 1500, failure_threshold: 2}',
    restart: '{initial_delay_ms: 50, max_delay_ms: 500, max_restarts: 100, window_ms: 60000, stable_after_ms: 10000}',
    start_timeout_ms: 20000,
    stop_timeout_ms: 5000,
    grace_ms: 20000,
    ...overrides,
  };
  const settings = Object.entries(lines).filter(([, value]) => value !== undefined).map(([key, value]) => `  ${key}: ${value}`);
  const entries = repos.flatMap(({ path, slug, autostart }) => [
    `  - path: ${JSON.stringify(path)}`,
    ...(slug === undefined ? [] : [`    slug: ${JSON.stringify(slug)}`]),
    ...(autostart === undefined ? [] : [`    autostart: ${autostart}`]),
  ]);
  return ['supervisor:', ...settings, entries.length === 0 ? 'repos: []' : 'repos:', ...entries, ''].join('\n');
}

/** Writes `yaml` to `<folder>/repos.yaml` and resolves with its path. */
export async function writeConfig(folder, yaml, name = 'repos.yaml') {
  const file = join(folder, name);
  await writeFile(file, yaml);
  return file;
}

/** One running `supervisor start` process and its API. */
export class Supervisor {
  constructor(child, file, home, url, token) {
    Object.assign(this, { child, file, home, url, token });
  }

  /** Starts `supervisor start <file>` (home `home`) and resolves once it logged "supervisor started". */
  static async start(processes, file, home) {
    const child = processes.start(process.execPath, [SUPERVISOR_MAIN, 'start', file, '--no-pretty'], { env: cleanEnv() });
    const started = waitFor(`the supervisor of ${home} to start`, () => {
      const line = child.stdout().split('\n').find((entry) => entry.includes('"supervisor started"'));
      return line === undefined ? undefined : JSON.parse(line).http;
    }, 120_000);
    const exited = child.exited.then(({ code, signal }) => {
      throw new Error(`the supervisor exited (code ${code}, signal ${signal}) before it started: ${child.stderr().trim() || child.stdout().trim().slice(-2000)}`);
    });
    const url = await Promise.race([started, exited]);
    exited.catch(() => undefined);
    const token = (await readFile(join(home, 'api-token'), 'utf8')).trim();
    return new Supervisor(child, file, home, url, token);
  }

  get pid() {
    return this.child.pid;
  }

  /** Calls the API with the token (unless `token: false`); resolves `{status, body, text}`. */
  async api(method, path, body, { token = true, headers = {}, raw } = {}) {
    const all = { ...headers };
    if (token) all.authorization = `Bearer ${this.token}`;
    if (body !== undefined || raw !== undefined) all['content-type'] ??= 'application/json';
    const response = await fetch(this.url + path, { method, headers: all, body: raw ?? (body === undefined ? undefined : JSON.stringify(body)) });
    const text = await response.text();
    let parsed;
    try {
      parsed = text === '' ? {} : JSON.parse(text);
    } catch {
      parsed = { unparsed: text };
    }
    return { status: response.status, body: parsed, text };
  }

  /** The repos as `GET /api/repos` lists them. */
  async repos() {
    const { status, body } = await this.api('GET', '/api/repos');
    if (status !== 200) throw new Error(`GET /api/repos answered ${status}`);
    return body.repos;
  }

  /** Resolves with the repo once `predicate` holds for it. */
  waitForRepo(slug, what, predicate, deadlineMs = 90_000) {
    return waitFor(`${slug} ${what}`, async () => (await this.repos()).find((repo) => repo.slug === slug && predicate(repo)), deadlineMs, 100);
  }

  /** Resolves with every repo once each of `slugs` is running (with a pid). */
  async waitAllRunning(slugs, deadlineMs = 120_000) {
    return waitFor(`${slugs.length} repos to be running`, async () => {
      const repos = await this.repos();
      const ok = slugs.every((slug) => repos.some((repo) => repo.slug === slug && repo.status === 'running' && repo.pid !== null));
      return ok ? repos : undefined;
    }, deadlineMs, 200);
  }

  /** `{slug: pid}` of the listed repos. */
  async pids() {
    return Object.fromEntries((await this.repos()).map((repo) => [repo.slug, repo.pid]));
  }

  /** The slugs stored in `supervisor-state.json`. */
  async storedSlugs() {
    return JSON.parse(await readFile(join(this.home, 'supervisor-state.json'), 'utf8')).repos.map((repo) => repo.slug);
  }

  /** Live worker main processes under this supervisor's home. */
  workerPids() {
    return workerPidsUnder(join(this.home, 'repos'));
  }

  /** Live worker main processes of one slug (by its data root). */
  workerPidsOf(slug) {
    return workerPidsUnder(join(this.home, 'repos', slug.replace('/', '-')));
  }

  /** The Prometheus text of GET /metrics. */
  async metrics() {
    return (await fetch(`${this.url}/metrics`)).text();
  }

  /** SIGKILL, and resolves once the process is gone. */
  async kill() {
    process.kill(this.pid, 'SIGKILL');
    await this.child.exited;
  }

  /** SIGTERM (the operator's clean stop); resolves with the exit. */
  async stop() {
    if (!this.child.running()) return this.child.exited;
    process.kill(this.pid, 'SIGTERM');
    return this.child.exited;
  }

  /** True while the supervisor process runs. */
  alive() {
    return isAlive(this.pid) && this.child.running();
  }
}

/** The value of one sample of a Prometheus text, or 0 when absent. */
export function metricValue(text, name, labels) {
  const wanted = Object.entries(labels).map(([key, value]) => `${key}="${value}"`);
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`)) continue;
    const inside = line.slice(name.length + 1, line.indexOf('}'));
    const parts = inside.split(',');
    if (wanted.every((part) => parts.includes(part))) return Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return 0;
}
