import { afterEach, describe, expect, it } from '@jest/globals';
import { isProcessAlive, readPidStartTicks, readProcessCommandLine } from '../src/process-identity.js';
import { ChildProcesses } from '../../../tests/helpers/child-processes.js';

const children = new ChildProcesses();
afterEach(() => children.killAll());

describe('process identity', () => {
  it('reads the start ticks and command line of a live process', () => {
    const ticks = readPidStartTicks(process.pid);
    expect(typeof ticks).toBe('number');
    expect(readPidStartTicks(process.pid)).toBe(ticks);
    expect(isProcessAlive(process.pid)).toBe(true);
    expect(readProcessCommandLine(process.pid)?.some((arg) => arg.includes('node'))).toBe(true);
  });

  it('tells two processes apart by their start ticks, and a finished one has none', async () => {
    const child = children.start(process.execPath, ['-e', 'setTimeout(() => {}, 30000)']);
    const ticks = readPidStartTicks(child.pid);
    expect(ticks).not.toBeNull();
    expect(ticks).toBeGreaterThanOrEqual(readPidStartTicks(process.pid) ?? Infinity);
    child.child.kill('SIGKILL');
    await child.exited;
    expect(readPidStartTicks(child.pid)).toBeNull();
    expect(isProcessAlive(child.pid)).toBe(false);
  });

  it('returns null for pids that cannot name a process', () => {
    expect(readPidStartTicks(0)).toBeNull();
    expect(readPidStartTicks(-1)).toBeNull();
    expect(readPidStartTicks(1.5)).toBeNull();
    expect(isProcessAlive(0)).toBe(false);
  });
});
