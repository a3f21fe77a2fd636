// supervisord (Debian's `supervisor` package) as a contender: its own config,
// log folder and unix socket in a temporary folder, one [program] per plain
// node HTTP server, run in the foreground (-n) so its pid is ours to end.
// Used only when `supervisord` is on PATH.
import { execFileSync } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { spawnTracked } from '../lib/cleanup.mjs';
import { answeringPid, waitUntilAnswering } from '../lib/http.mjs';

const SERVER = fileURLToPath(new URL('../fixtures/http-server.mjs', import.meta.url));

/** supervisord's version, or null when it is not installed. */
export function supervisordVersion() {
  try {
    return execFileSync('supervisord', ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return null;
  }
}

function config(folder, ports) {
  const lines = [
    '[unix_http_server]',
    `file=${join(folder, 'supervisor.sock')}`,
    'chmod=0700',
    '[supervisord]',
    `logfile=${join(folder, 'supervisord.log')}`,
    `pidfile=${join(folder, 'supervisord.pid')}`,
    `childlogdir=${join(folder, 'logs')}`,
    'nodaemon=true',
    '[rpcinterface:supervisor]',
    'supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface',
    '[supervisorctl]',
    `serverurl=unix://${join(folder, 'supervisor.sock')}`,
  ];
  ports.forEach((port, index) => {
    lines.push(`[program:app-${index}]`, `command=${process.execPath} ${SERVER}`, `environment=PORT="${port}"`, 'redirect_stderr=true');
  });
  return `${lines.join('\n')}\n`;
}

/** Starts supervisord with one program per port; `healthy()` resolves once each port answers. */
export async function launchSupervisord({ folder, ports }) {
  await mkdir(join(folder, 'logs'), { recursive: true });
  const file = join(folder, 'supervisord.conf');
  await writeFile(file, config(folder, ports));
  const child = spawnTracked('supervisord', ['-n', '-c', file], { stdio: ['ignore', 'ignore', 'ignore'] });
  return {
    name: 'supervisord',
    pid: child.pid,
    healthy: (options) => waitUntilAnswering(ports, options),
    appPids: async () => (await Promise.all(ports.map(answeringPid))).filter((pid) => pid !== null),
    /** SIGTERM to supervisord, then SIGKILL to its programs by pid: it stops programs about one a second, too slow to wait for at 100. */
    async stop() {
      const apps = (await Promise.all(ports.map(answeringPid))).filter((pid) => pid !== null);
      process.kill(child.pid, 'SIGTERM');
      await sleep(100);
      for (const pid of apps) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // Already stopped.
        }
      }
      await Promise.race([child.exited, sleep(30_000, undefined, { ref: false })]);
      if (child.exitCode === null && child.signalCode === null) process.kill(child.pid, 'SIGKILL');
    },
  };
}
