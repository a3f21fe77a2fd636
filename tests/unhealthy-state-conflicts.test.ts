import { afterEach, describe, expect, it } from '@jest/globals';
import { spawn } from 'node:child_process';
import { pino } from 'pino';
import { LifecycleConflictError } from '../packages/supervisor/src/manager/lifecycle-error.js';
import { ManagedRepo } from '../packages/supervisor/src/manager/managed-repo.js';
import type { LaunchedWorker, WorkerExit } from '../packages/supervisor/src/launch/launch-worker.js';
import { testRepoRecord } from '../packages/supervisor/test/helpers/test-repo-record.js';
import { waitFor } from './helpers/wait-for.js';

// The `unhealthy` row of the table of allowed actions (docs/API.md): a start
// is a 409 (LifecycleConflictError). A real worker leaves `unhealthy` within
// the same turn of the supervisor's event loop (its group's SIGKILL cannot
// fail), so no HTTP client can catch it there. Here the launched process is a
// real one that does not lead a process group: the group SIGKILL misses it,
// and the repo stays `unhealthy` for as long as the test looks.
const cleanups: (() => Promise<void> | void)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe('a repo in the unhealthy state', () => {
  it('refuses an operator start with "Cannot start <slug>: it is unhealthy"', async () => {
    const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
    const exited = new Promise<WorkerExit>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
    const repo = new ManagedRepo({
      record: testRepoRecord('acme/alpha', { path: '/nowhere/alpha', autostart: true }),
      settings: {
        health: { intervalMs: 60_000, timeoutMs: 2000, failureThreshold: 3, httpIntervalMs: 10_000 },
        restart: { initialDelayMs: 60_000, maxDelayMs: 60_000, maxRestarts: 5, windowMs: 60_000, stableAfterMs: 10_000 },
        // No hello ever comes: the start timeout makes it unhealthy.
        startTimeoutMs: 10,
        stopTimeoutMs: 5000,
        graceMs: 1000,
      },
      logFile: '/nowhere/alpha.log',
      dataRoot: '/nowhere/alpha',
      runtimeUrl: '/api/repos/acme/alpha/runtimes',
      controlAddress: () => '127.0.0.1:1',
      launch: (): LaunchedWorker => ({ pid: child.pid as number, exited }),
      logger: pino({ level: 'silent' }),
      observer: { changed: () => undefined },
    });
    // The process first: stopping the repo waits for it to exit.
    cleanups.push(async () => {
      if (child.exitCode === null && child.signalCode === null) process.kill(child.pid as number, 'SIGKILL');
      await exited;
      await repo.ensureStopped();
    });

    repo.start();
    await waitFor('the repo to be unhealthy', () => repo.state === 'unhealthy');
    expect(repo.view().last_error).toBe('unhealthy: no hello within 10 ms of launch');
    expect(() => repo.start()).toThrow(new LifecycleConflictError('acme/alpha', 'start', 'unhealthy'));
    expect(() => repo.start()).toThrow('Cannot start acme/alpha: it is unhealthy');
  });
});
