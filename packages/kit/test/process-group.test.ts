import { afterEach, describe, expect, it } from '@jest/globals';
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { signalGroup, terminateGroup } from '../src/process-group.js';

// Real process groups: a node leader with a child of its own, both ended through the group.

const leaders: ChildProcess[] = [];

afterEach(() => {
  for (const leader of leaders.splice(0)) if (leader.pid !== undefined) signalGroup(leader.pid, 'SIGKILL');
});

/** Starts a group leader that prints its child's pid once both run; `ignoreTerm` makes both ignore SIGTERM. */
async function startGroup(ignoreTerm: boolean): Promise<{ leader: ChildProcess; pid: number; childPid: number; exited: Promise<unknown> }> {
  const trap = ignoreTerm ? "process.on('SIGTERM', () => {});" : '';
  const child = `${trap} setInterval(() => {}, 1000);`;
  const script = `${trap} const c = require('node:child_process').spawn(process.execPath, ['-e', ${JSON.stringify(child)}], { stdio: 'ignore' }); setTimeout(() => console.log(c.pid), 200); setInterval(() => {}, 1000);`;
  const leader = spawn(process.execPath, ['-e', script], { detached: true, stdio: ['ignore', 'pipe', 'inherit'] });
  leaders.push(leader);
  const exited = once(leader, 'exit');
  const [chunk] = (await once(leader.stdout, 'data')) as [Buffer];
  return { leader, pid: leader.pid!, childPid: Number(chunk.toString().trim()), exited };
}

/** Whether `pid` runs: a zombie (ended, not yet reaped by whoever adopted it) does not. */
function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

describe('terminateGroup', () => {
  it('ends a group that heeds SIGTERM with SIGTERM alone, its leader and the leader’s child', async () => {
    const group = await startGroup(false);
    let forced = false;
    const how = await terminateGroup(group.pid, { exited: group.exited, graceMs: 60_000, onForce: () => (forced = true) });
    expect({ how, forced, signal: group.leader.signalCode }).toEqual({ how: 'exited', forced: false, signal: 'SIGTERM' });
    // The child got the group's SIGTERM too; it is gone once the signal is handled.
    while (alive(group.childPid)) await new Promise((resolve) => setTimeout(resolve, 10));
  });

  it('sends SIGKILL to a group that ignores SIGTERM once the grace has passed, and says so first', async () => {
    const group = await startGroup(true);
    let forced = false;
    const how = await terminateGroup(group.pid, { exited: group.exited, graceMs: 300, onForce: () => (forced = true) });
    expect({ how, forced, signal: group.leader.signalCode }).toEqual({ how: 'killed', forced: true, signal: 'SIGKILL' });
    while (alive(group.childPid)) await new Promise((resolve) => setTimeout(resolve, 10));
  });

  it('sends nothing to a pid that is no longer ours', async () => {
    const group = await startGroup(false);
    const how = await terminateGroup(group.pid, { exited: group.exited, graceMs: 10, stillOurs: () => false });
    expect(how).toBe('exited');
    expect(alive(group.pid)).toBe(true);
  });
});
