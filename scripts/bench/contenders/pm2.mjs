// PM2 as a contender: the latest pm2, installed at bench time into a cache
// folder outside the repository, run with a private PM2_HOME in a temporary
// folder; all apps (plain node HTTP servers) in one ecosystem file; healthy
// once every app's port answers. Stopping is `pm2 kill` with that PM2_HOME.
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { benchEnv, onInterrupt, spawnTracked } from '../lib/cleanup.mjs';
import { answeringPid, waitUntilAnswering } from '../lib/http.mjs';
import { isAlive } from '../lib/proc.mjs';

const SERVER = fileURLToPath(new URL('../fixtures/http-server.mjs', import.meta.url));
/** Where pm2 is installed for the bench (outside the repository). */
export const PM2_PREFIX = join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'repovisor-bench', 'pm2');
const PM2_BIN = join(PM2_PREFIX, 'node_modules', 'pm2', 'bin', 'pm2');

/** Installs (or updates to) the latest pm2 in the cache folder; resolves with its version, or null if unavailable. */
export async function ensurePm2() {
  await mkdir(PM2_PREFIX, { recursive: true });
  try {
    await promisify(execFile)('npm', ['install', '--prefix', PM2_PREFIX, 'pm2@latest', '--no-audit', '--no-fund', '--loglevel=error'], { timeout: 180_000 });
  } catch (error) {
    if (!existsSync(PM2_BIN)) {
      process.stderr.write(`bench: could not install pm2 (${error.message.split('\n')[0]}); PM2 is skipped\n`);
      return null;
    }
    process.stderr.write('bench: could not update pm2; using the copy already in the cache\n');
  }
  return JSON.parse(readFileSync(join(PM2_PREFIX, 'node_modules', 'pm2', 'package.json'), 'utf8')).version;
}

/** Runs the pm2 CLI with a private PM2_HOME; resolves {code, stdout, ms}. */
export async function pm2(pm2Home, args) {
  const started = performance.now();
  const child = spawnTracked(process.execPath, [PM2_BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: benchEnv({ PM2_HOME: pm2Home }) });
  let stdout = '';
  child.stdout.on('data', (chunk) => (stdout += chunk));
  child.stderr.resume();
  const { code } = await child.exited;
  return { code, stdout, ms: performance.now() - started };
}

function daemonPid(pm2Home) {
  try {
    return Number(readFileSync(join(pm2Home, 'pm2.pid'), 'utf8').trim()) || null;
  } catch {
    return null;
  }
}

/** Starts PM2 (its daemon included, cold) with one app per port; `healthy()` resolves once each port answers. */
export async function launchPm2({ folder, ports }) {
  const pm2Home = join(folder, 'pm2-home');
  await mkdir(pm2Home, { recursive: true });
  const file = join(folder, 'ecosystem.config.cjs');
  const apps = ports.map((port, index) => ({ name: `app-${index}`, script: SERVER, exec_mode: 'fork', env: { PORT: String(port) } }));
  await writeFile(file, `module.exports = ${JSON.stringify({ apps }, null, 2)};\n`);
  const disposeHook = onInterrupt(() => pm2(pm2Home, ['kill']));
  const starting = pm2(pm2Home, ['start', file]);
  return {
    name: 'pm2',
    pm2Home,
    get pid() {
      return daemonPid(pm2Home);
    },
    healthy: (options) => waitUntilAnswering(ports, options),
    appPids: async () => (await Promise.all(ports.map(answeringPid))).filter((pid) => pid !== null),
    jlist: () => pm2(pm2Home, ['jlist']),
    async stop() {
      await starting;
      const pid = daemonPid(pm2Home);
      await pm2(pm2Home, ['kill']);
      for (let wait = 0; pid !== null && isAlive(pid) && wait < 100; wait += 1) await sleep(50);
      if (pid !== null && isAlive(pid)) process.kill(pid, 'SIGKILL');
      disposeHook();
    },
  };
}
