// Loopback HTTP helpers: one GET with a timeout, waiting until ports answer
// (or answer with a new pid), and picking free ports.
import { readFileSync } from 'node:fs';
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

// Ports handed out by this process, never handed out twice.
const given = new Set();

/** The kernel's ephemeral port range (where it picks the local port of outgoing connections). */
function ephemeralRange() {
  try {
    const [low, high] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number);
    if (Number.isInteger(low) && Number.isInteger(high)) return { low, high };
  } catch {
    // Not Linux: the IANA range.
  }
  return { low: 49152, high: 65535 };
}

/**
 * `count` distinct free loopback ports (held open together while chosen, then
 * released), taken below the kernel's ephemeral range: a port picked with
 * listen(0) comes from that range, and an outgoing connection (a probe, a
 * poll, another contender) could take it before the app binds it.
 */
export async function freePorts(count) {
  const { low } = ephemeralRange();
  const floor = 10_000;
  const ceiling = low > floor + 2 * count ? low : 32_768;
  const servers = [];
  try {
    for (let tries = 0; servers.length < count; tries += 1) {
      if (tries > 50 * count + 1000) throw new Error(`could not find ${count} free ports from ${floor} to ${ceiling}`);
      const port = floor + Math.floor(Math.random() * (ceiling - floor));
      if (given.has(port)) continue;
      const server = createServer();
      const bound = await new Promise((resolve) => server.once('error', () => resolve(false)).listen({ port, host: '127.0.0.1', exclusive: true }, () => resolve(true)));
      if (!bound) continue;
      given.add(port);
      servers.push(server);
    }
    return servers.map((server) => server.address().port);
  } finally {
    await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  }
}
