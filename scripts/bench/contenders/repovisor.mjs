// Repovisor as a contender: writes a repos.yaml for a set of repositories,
// runs `supervisor start <repos.yaml> --no-pretty`, reads its HTTP address from
// the "supervisor started" log line, and counts it healthy once GET /api/repos
// shows every repo `running`. Stopping sends SIGTERM to the supervisor, then
// ends by pid (process group) any worker left under its home.
import { writeFile, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { benchEnv, spawnTracked } from '../lib/cleanup.mjs';
import { httpGet } from '../lib/http.mjs';
import { pidsWithEnv } from '../lib/proc.mjs';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
/** The supervisor's CLI entry point. */
export const SUPERVISOR_MAIN = join(ROOT, 'packages/supervisor/dist/bundle/supervisor.cjs');

/** The `supervisor:` section of a bench repos.yaml; `settings` override the defaults only where given. */
function yamlFor(home, repos, settings) {
  const lines = ['supervisor:', `  home: ${JSON.stringify(home)}`, '  http: {host: 127.0.0.1, port: 0}'];
  for (const [key, value] of Object.entries(settings)) lines.push(`  ${key}: ${typeof value === 'object' ? JSON.stringify(value) : value}`);
  lines.push('repos:');
  repos.forEach((path, index) => lines.push(`  - {path: ${JSON.stringify(path)}, slug: "bench/r${index}"}`));
  return `${lines.join('\n')}\n`;
}

/** GET /api/repos of a running supervisor. */
export async function listRepos(url, agent = false) {
  const { port } = new URL(url);
  const { status, body } = await httpGet(Number(port), '/api/repos', { timeoutMs: 10_000, agent });
  if (status !== 200) throw new Error(`GET /api/repos answered ${status}`);
  return JSON.parse(body).repos;
}

/**
 * Starts a supervisor for `repos` in `folder`. Returns at once; `healthy()`
 * resolves once every repo is running. `settings` are repos.yaml supervisor keys.
 */
export async function launchRepovisor({ folder, repos, settings = {}, args = [] }) {
  const home = join(folder, 'home');
  const file = join(folder, 'repos.yaml');
  await writeFile(file, yamlFor(home, repos, settings));
  const child = spawnTracked(process.execPath, [...args, SUPERVISOR_MAIN, 'start', file, '--no-pretty'], { stdio: ['ignore', 'pipe', 'pipe'], env: benchEnv() });
  let stdout = '';
  let stderr = '';
  let resolveUrl;
  const urlKnown = new Promise((resolve) => (resolveUrl = resolve));
  child.stdout.on('data', (chunk) => {
    if (stdout === null) return;
    stdout += chunk;
    const line = stdout.split('\n').find((entry) => entry.includes('"supervisor started"'));
    if (line !== undefined) {
      resolveUrl(JSON.parse(line).http);
      stdout = null;
    }
  });
  child.stderr.on('data', (chunk) => (stderr = (stderr + chunk).slice(-4000)));
  const exitedEarly = child.exited.then(({ code, signal }) => {
    throw new Error(`the supervisor exited (${code ?? signal}) before it started: ${stderr}`);
  });
  exitedEarly.catch(() => undefined);
  let url;

  return {
    name: 'repovisor',
    pid: child.pid,
    home,
    file,
    get url() {
      return url;
    },
    /** Resolves once GET /api/repos shows every repo running (polled every `intervalMs`). */
    async healthy({ intervalMs = 20, deadlineMs = 180_000 } = {}) {
      url = await Promise.race([urlKnown, exitedEarly]);
      const deadline = Date.now() + deadlineMs;
      for (;;) {
        const listed = await listRepos(url);
        if (listed.length === repos.length && listed.every((repo) => repo.status === 'running')) return listed;
        if (Date.now() > deadline) throw new Error(`not every repo was running within ${deadlineMs} ms`);
        await sleep(intervalMs);
      }
    },
    /** The workers' pids, as the supervisor lists them. */
    async appPids() {
      return (await listRepos(url)).map((repo) => repo.pid).filter((pid) => pid !== null);
    },
    async token() {
      return (await readFile(join(home, 'api-token'), 'utf8')).trim();
    },
    /** SIGTERM, wait for the exit (up to 60 s), then SIGKILL whatever worker group is left under the home. */
    async stop() {
      try {
        process.kill(child.pid, 'SIGTERM');
      } catch {
        // Already gone.
      }
      await Promise.race([child.exited, sleep(60_000, undefined, { ref: false })]);
      if (child.exitCode === null && child.signalCode === null) process.kill(child.pid, 'SIGKILL');
      for (let round = 0; round < 100; round += 1) {
        const left = pidsWithEnv(`REPOVISOR_DATA_ROOT=${home}`);
        if (left.length === 0) break;
        for (const pid of left) {
          for (const target of [-pid, pid]) {
            try {
              process.kill(target, 'SIGCONT');
              process.kill(target, 'SIGKILL');
            } catch {
              // Not a group leader, or gone.
            }
          }
        }
        await sleep(50);
      }
    },
  };
}
