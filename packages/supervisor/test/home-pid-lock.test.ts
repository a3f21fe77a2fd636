import { afterEach, describe, expect, it } from '@jest/globals';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { acquirePidLock, SupervisorRunningError } from '../src/home/pid-lock.js';
import { ChildProcesses } from '../../../tests/helpers/child-processes.js';
import { TempDirs } from '../../../tests/helpers/temp-dir.js';
import { waitFor } from '../../../tests/helpers/wait-for.js';

const temp = new TempDirs();
const children = new ChildProcesses();
afterEach(async () => {
  await children.killAll();
  await temp.cleanup();
});

async function deadPid(): Promise<number> {
  const child = children.start(process.execPath, ['-e', '0']);
  await child.exited;
  return child.pid;
}

describe('acquirePidLock', () => {
  it('writes our pid, refuses a second lock while we hold it, and can be taken again after release', async () => {
    const home = await temp.make();
    const lock = await acquirePidLock(home);
    expect(lock.pid).toBe(process.pid);
    expect(lock.replaced).toBeNull();
    expect(await readFile(join(home, 'supervisor.pid'), 'utf8')).toBe(`${process.pid}\n`);

    const refused = acquirePidLock(home);
    await expect(refused).rejects.toThrow(SupervisorRunningError);
    await expect(refused).rejects.toThrow(
      `Another supervisor (pid ${process.pid}) is already running on home ${home}; stop it with 'supervisor stop --home ${home}' or use another home`,
    );

    await lock.release();
    await lock.release();
    await expect(readFile(join(home, 'supervisor.pid'), 'utf8')).rejects.toThrow('ENOENT');
    const again = await acquirePidLock(home);
    await again.release();
  });

  it('refuses while another live node process holds the lock (its supervisor.pid open)', async () => {
    const home = await temp.make();
    const file = join(home, 'supervisor.pid');
    await writeFile(file, '');
    const holder = children.start(process.execPath, ['-e', "require('node:fs').openSync(process.argv[1], 'r'); console.log('open'); setInterval(() => {}, 1000)", file]);
    await waitFor('the holder to open the file', () => holder.stdout().includes('open'));
    // Written in place: the same file (inode) the holder has open.
    await writeFile(file, `${holder.pid}\n`);
    await expect(acquirePidLock(home)).rejects.toMatchObject({ name: 'SupervisorRunningError', pid: holder.pid, home });
  });

  it("replaces a lock naming a live node process that does not hold it open (another home's supervisor)", async () => {
    const home = await temp.make();
    const other = children.start(process.execPath, ['-e', 'setInterval(() => {}, 1000)']);
    await writeFile(join(home, 'supervisor.pid'), `${other.pid}\n`);
    const lock = await acquirePidLock(home);
    expect(lock.replaced).toEqual({ pid: other.pid, reason: expect.stringContaining("does not hold this home's supervisor.pid") as unknown });
    await lock.release();
  });

  it('replaces a lock left by a process that has exited, and says so', async () => {
    const home = await temp.make();
    const pid = await deadPid();
    await writeFile(join(home, 'supervisor.pid'), `${pid}\n`);
    const lock = await acquirePidLock(home);
    expect(lock.replaced).toEqual({ pid, reason: `pid ${pid} is not running` });
    expect(await readFile(join(home, 'supervisor.pid'), 'utf8')).toBe(`${process.pid}\n`);
    await lock.release();
  });

  it('replaces a lock whose pid now belongs to another program', async () => {
    const home = await temp.make();
    const other = children.start('sleep', ['30']);
    await writeFile(join(home, 'supervisor.pid'), `${other.pid}\n`);
    const lock = await acquirePidLock(home);
    expect(lock.replaced).toEqual({ pid: other.pid, reason: expect.stringContaining('is now another program') as unknown });
    await lock.release();
  });

  it('replaces a lock file that holds no pid', async () => {
    const home = await temp.make();
    await writeFile(join(home, 'supervisor.pid'), 'garbage');
    const lock = await acquirePidLock(home);
    expect(lock.replaced).toEqual({ pid: null, reason: 'the file holds no pid' });
    await lock.release();
  });

  it('leaves the file alone on release when another process has taken it meanwhile', async () => {
    const home = await temp.make();
    const lock = await acquirePidLock(home);
    await writeFile(join(home, 'supervisor.pid'), '12345\n');
    await lock.release();
    expect(await readFile(join(home, 'supervisor.pid'), 'utf8')).toBe('12345\n');
  });
});
