// Loopback HTTP helpers: one GET with a timeout, waiting until ports answer
// (or answer with a new pid), and picking free ports.
import { get } from 'node:http';
import { createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

/** GET http://127.0.0.1:<port><path>; resolves {status, body}, rejects on a network error or timeout. */
export function httpGet(port, path = '/', { timeoutMs = 2000, agent = false, host = '127.0.0.1' } = {}) {
  return new Promise((resolve, reject) => {
    const call = get({ host, port, path, agent, timeout: timeoutMs }, (response) => {
      const chunks = [];
      response.on('data', (chunk) => chunks.push(chunk));
      response.on('end', () => resolve({ status: response.statusCode, body: Buffer.concat(chunks).toString('utf8') }));
      response.on('error', reject);
    });
    call.on('timeout', () => call.destroy(new Error(`no answer from port ${port} within ${timeoutMs} ms`)));
    call.on('error', reject);
  });
}

/** The pid a fixture server on `port` answers with, or null when it does not answer. */
export async function answeringPid(port) {
  try {
    const { status, body } = await httpGet(port, '/', { timeoutMs: 1000 });
    return status === 200 ? Number(body) : null;
  } catch {
    return null;
  }
}

/** Resolves once every port answers 200 (each polled on its own every `intervalMs`); rejects after `deadlineMs`. */
export async function waitUntilAnswering(ports, { intervalMs = 20, deadlineMs = 120_000 } = {}) {
  const deadline = Date.now() + deadlineMs;
  await Promise.all(
    ports.map(async (port) => {
      while ((await answeringPid(port)) === null) {
        if (Date.now() > deadline) throw new Error(`port ${port} did not answer within ${deadlineMs} ms`);
        await sleep(intervalMs);
      }
    }),
  );
}

/** Resolves with the new pid once `port` answers with a pid other than `oldPid`. */
export async function waitForNewPid(port, oldPid, { intervalMs = 5, deadlineMs = 60_000 } = {}) {
  const deadline = Date.now() + deadlineMs;
  for (;;) {
    const pid = await answeringPid(port);
    if (pid !== null && pid !== oldPid) return pid;
    if (Date.now() > deadline) throw new Error(`port ${port} did not answer from a new process within ${deadlineMs} ms`);
    await sleep(intervalMs);
  }
}

/** `count` distinct free loopback ports (held open together while chosen, then released). */
export async function freePorts(count) {
  const servers = [];
  try {
    for (let i = 0; i < count; i += 1) {
      const server = createServer();
      await new Promise((resolve, reject) => server.once('error', reject).listen(0, '127.0.0.1', resolve));
      servers.push(server);
    }
    return servers.map((server) => server.address().port);
  } finally {
    await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  }
}
