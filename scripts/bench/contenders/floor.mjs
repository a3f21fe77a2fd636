// The floor as a contender: the bare spawner script (fixtures/floor.mjs) with
// one plain node HTTP server per port; healthy when the script says "ready",
// which it does once it has seen every port answer. (The bench does not poll
// the ports itself as well: two pollers on 2 cores would slow the floor down.)
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { spawnTracked } from '../lib/cleanup.mjs';
import { answeringPid } from '../lib/http.mjs';

const FLOOR = fileURLToPath(new URL('../fixtures/floor.mjs', import.meta.url));

/** Starts the floor spawner for `ports`; `healthy()` resolves once each port answers. */
export function launchFloor({ ports }) {
  const child = spawnTracked(process.execPath, [FLOOR, ports.join(',')], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  const ready = new Promise((resolve, reject) => {
    child.stdout.on('data', (chunk) => {
      out += chunk;
      if (out.includes('ready')) resolve();
    });
    child.exited.then(({ code, signal }) => reject(new Error(`the floor spawner exited (${code ?? signal}) before it was ready`)));
  });
  ready.catch(() => undefined);
  return {
    name: 'floor',
    pid: child.pid,
    healthy: () => ready,
    appPids: async () => (await Promise.all(ports.map(answeringPid))).filter((pid) => pid !== null),
    async stop() {
      process.kill(child.pid, 'SIGTERM');
      await Promise.race([child.exited, sleep(10_000, undefined, { ref: false })]);
      if (child.exitCode === null && child.signalCode === null) process.kill(child.pid, 'SIGKILL');
    },
  };
}
