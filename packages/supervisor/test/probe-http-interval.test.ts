import { afterEach, describe, expect, it } from '@jest/globals';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PassThrough } from 'node:stream';
import { pino } from 'pino';
import { Connection, SupervisorRequests } from '@repovisor/protocol';
import { ManagedRepo } from '../src/manager/managed-repo.js';
import type { ProbeResult } from '../src/manager/health-probe.js';
import type { LaunchedWorker, WorkerExit } from '../src/launch/launch-worker.js';
import { testRepoRecord } from './helpers/test-repo-record.js';

// The real parts: a live process standing in for the worker (its pid is what hello must name),
// a real HTTP server for GET /healthz, and the real protocol over in-memory streams.
interface Rig {
  repo: ManagedRepo;
  probes: ProbeResult[];
  healthzHits: () => number;
  waitForProbes: (count: number) => Promise<void>;
}

const cleanups: (() => Promise<void> | void)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function rig(httpIntervalMs: number, healthzStatus: number): Promise<Rig> {
  let hits = 0;
  const server: Server = createServer((request, response) => {
    if (request.url === '/healthz') hits += 1;
    response.writeHead(request.url === '/healthz' ? healthzStatus : 404).end();
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  cleanups.push(() => {
    server.closeAllConnections();
    return new Promise<void>((resolve) => server.close(() => resolve()));
  });
  const httpPort = (server.address() as AddressInfo).port;

  const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { detached: true, stdio: 'ignore' });
  const exited = new Promise<WorkerExit>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  cleanups.push(async () => {
    if (child.exitCode === null && child.signalCode === null) process.kill(child.pid as number, 'SIGKILL');
    await exited;
  });

  const probes: ProbeResult[] = [];
  const waiters: (() => void)[] = [];
  const repo = new ManagedRepo({
    record: testRepoRecord('acme/alpha', { path: '/nowhere/alpha' }),
    settings: {
      health: { intervalMs: 10, timeoutMs: 2000, failureThreshold: 3, httpIntervalMs },
      restart: { initialDelayMs: 60_000, maxDelayMs: 60_000, maxRestarts: 5, windowMs: 60_000, stableAfterMs: 10_000 },
      startTimeoutMs: 60_000,
      stopTimeoutMs: 5000,
      graceMs: 1000,
    },
    logFile: '/nowhere/alpha.log',
    dataRoot: '/nowhere/alpha',
    runtimeUrl: '/api/repos/acme/alpha/runtimes',
    controlAddress: () => '127.0.0.1:1',
    launch: (): LaunchedWorker => ({ pid: child.pid as number, exited }),
    logger: pino({ level: 'silent' }),
    observer: {
      changed: () => undefined,
      probed: (_repo, result) => {
        probes.push(result);
        for (const wake of waiters.splice(0)) wake();
      },
    },
  });
  // The stand-in worker goes first (as a crash would), so stopping the repo only cancels its backoff.
  cleanups.push(async () => {
    if (child.exitCode === null && child.signalCode === null) process.kill(child.pid as number, 'SIGKILL');
    await exited;
    await repo.ensureStopped();
  });

  const toWorker = new PassThrough();
  const toSupervisor = new PassThrough();
  const supervisorSide = new Connection(toSupervisor, toWorker, { label: 'supervisor' });
  const workerSide = new Connection(toWorker, toSupervisor, { label: 'worker' });
  workerSide.handle(SupervisorRequests.health, () => ({
    slug: 'acme/alpha',
    pid: child.pid as number,
    running: true,
    sessionId: null,
    uptimeSeconds: 1,
    memory: { rss: 1, heapUsed: 1 },
    eventLoopDelayMs: 0,
    lastError: null,
  }));
  cleanups.push(() => {
    workerSide.close();
    supervisorSide.close();
  });

  repo.start();
  const verdict = repo.accept({ slug: 'acme/alpha', pid: child.pid as number, protocolVersion: 1, token: repo.record.token, httpPort, running: true, sessionId: null }, supervisorSide);
  expect(verdict).toEqual({ ok: true });

  const waitForProbes = async (count: number) => {
    while (probes.length < count) await new Promise<void>((resolve) => waiters.push(resolve));
  };
  return { repo, probes, healthzHits: () => hits, waitForProbes };
}

describe('health probes and GET /healthz', () => {
  it('checks /healthz on the first probe and then only once its last pass is http_interval_ms old', async () => {
    const { probes, healthzHits, waitForProbes } = await rig(60_000, 200);
    await waitForProbes(8);
    expect(probes.slice(0, 8).every((probe) => probe.ok)).toBe(true);
    expect(healthzHits()).toBe(1);
  });

  it('checks /healthz on every probe with http_interval_ms 0', async () => {
    const { probes, healthzHits, waitForProbes } = await rig(0, 200);
    await waitForProbes(5);
    expect(healthzHits()).toBeGreaterThanOrEqual(5);
    expect(probes.every((probe) => probe.ok)).toBe(true);
  });

  it('checks /healthz on every probe while probes fail, so a failing HTTP server makes the worker unhealthy', async () => {
    const { repo, probes, healthzHits, waitForProbes } = await rig(60_000, 500);
    await waitForProbes(3);
    expect(probes.map((probe) => (probe.ok ? 'ok' : probe.reason))).toEqual(['GET /healthz: status 500', 'GET /healthz: status 500', 'GET /healthz: status 500']);
    expect(healthzHits()).toBe(3);
    expect(['unhealthy', 'backoff']).toContain(repo.state);
    expect(repo.view().last_error).toMatch(/3 consecutive probes failed \(last: GET \/healthz: status 500\)/);
  });
});
