import { afterEach, describe, expect, it } from '@jest/globals';
import { spawn } from 'node:child_process';
import { PassThrough } from 'node:stream';
import { pino } from 'pino';
import { Connection, SupervisorRequests } from '@repovisor/protocol';
import type { HealthResult } from '@repovisor/protocol';
import { ManagedRepo } from '../src/manager/managed-repo.js';
import type { LaunchedWorker, WorkerExit } from '../src/launch/launch-worker.js';
import { testRepoRecord } from './helpers/test-repo-record.js';

// A worker's runtime status reaches the supervisor's view through probes alone (no
// `runtime.state` notification here): a live process stands in for the worker, and the real
// protocol runs over in-memory streams.

const cleanups: (() => Promise<void> | void)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function probedRepo(health: () => Pick<HealthResult, 'running' | 'lastError'>): { repo: ManagedRepo; changes: () => number } {
  const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { detached: true, stdio: 'ignore' });
  const exited = new Promise<WorkerExit>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  const pid = child.pid as number;
  let changes = 0;
  const repo = new ManagedRepo({
    record: testRepoRecord('acme/alpha', { path: '/nowhere/alpha' }),
    settings: {
      health: { intervalMs: 10, timeoutMs: 10_000, failureThreshold: 100, httpIntervalMs: 60_000 },
      restart: { initialDelayMs: 60_000, maxDelayMs: 60_000, maxRestarts: 5, windowMs: 60_000, stableAfterMs: 10_000 },
      startTimeoutMs: 60_000,
      stopTimeoutMs: 5000,
      graceMs: 1000,
    },
    logFile: '/nowhere/alpha.log',
    dataRoot: '/nowhere/alpha',
    runtimeUrl: '/api/repos/acme/alpha/runtimes',
    controlAddress: () => '127.0.0.1:1',
    launch: (): LaunchedWorker => ({ pid, exited }),
    logger: pino({ level: 'silent' }),
    observer: { changed: () => void (changes += 1) },
  });
  // The stand-in worker goes first (as a crash would), so stopping the repo only cancels its backoff.
  cleanups.push(async () => {
    if (child.exitCode === null && child.signalCode === null) process.kill(pid, 'SIGKILL');
    await exited;
    await repo.ensureStopped();
  });
  const toWorker = new PassThrough();
  const toSupervisor = new PassThrough();
  const supervisorSide = new Connection(toSupervisor, toWorker, { label: 'supervisor' });
  const workerSide = new Connection(toWorker, toSupervisor, { label: 'worker' });
  workerSide.handle(SupervisorRequests.health, () => ({
    slug: 'acme/alpha',
    pid,
    sessionId: 'session-1',
    uptimeSeconds: 1,
    memory: { rss: 1, heapUsed: 1 },
    eventLoopDelayMs: 0,
    ...health(),
  }));
  cleanups.push(() => {
    workerSide.close();
    supervisorSide.close();
  });
  repo.start();
  expect(repo.accept({ slug: 'acme/alpha', pid, protocolVersion: 1, token: repo.record.token, httpPort: null, running: true, sessionId: 'session-1' }, supervisorSide)).toEqual({ ok: true });
  return { repo, changes: () => changes };
}

async function until(what: string, check: () => boolean): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe("probes carry the worker's runtime status into the repo's view", () => {
  it("shows the runtime's last_error from a probe's answer while the worker stays running, and clears it with the next", async () => {
    let lastError: string | null = null;
    const { repo, changes } = probedRepo(() => ({ running: true, lastError }));
    await until('a first passed probe', () => repo.view().last_probe?.ok === true);
    expect(repo.view().runtime).toEqual({ running: true, session_id: 'session-1', last_error: null });
    const before = changes();
    lastError = 'repo-watcher failed: repository folder missing: /nowhere/alpha';
    await until('the error in the view', () => repo.view().runtime?.last_error === lastError);
    expect(repo.view()).toMatchObject({ status: 'running', last_error: null, last_probe: { ok: true } });
    // The change is told, so that it is saved and the listing serializes the entry again.
    expect(changes()).toBeGreaterThan(before);
    lastError = null;
    await until('the error to clear', () => repo.view().runtime?.last_error === null);
    expect(repo.state).toBe('running');
  });

  it('takes a stopped runtime from a probe too', async () => {
    let running = true;
    const { repo } = probedRepo(() => ({ running, lastError: null }));
    await until('a first passed probe', () => repo.view().last_probe?.ok === true);
    running = false;
    await until('runtime.running false in the view', () => repo.view().runtime?.running === false);
    expect(repo.state).toBe('running');
  });
});
