import { afterEach, describe, expect, it } from '@jest/globals';
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isAlive } from './helpers/child-processes.js';
import { createGitRepo } from './helpers/git-repo.js';
import { SupervisorRig, testSupervisorSection } from './helpers/supervisor-rig.js';
import { SmallTmpfs } from './helpers/small-tmpfs.js';
import { TempDirs } from './helpers/temp-dir.js';

const temp = new TempDirs();
const rig = new SupervisorRig();
const tmpfs = new SmallTmpfs();

afterEach(async () => {
  await rig.cleanup();
  await tmpfs.unmountAll();
  await temp.cleanup();
});

/** A repos.yaml (in its own temp folder) of one repo for `home`. */
async function oneRepoConfig(home: string): Promise<string> {
  const root = await temp.make();
  const repo = await createGitRepo(join(root, 'repo'));
  return rig.writeConfig(root, `${testSupervisorSection(home)}\nrepos:\n  - {path: ${JSON.stringify(repo)}, slug: acme/other}\n`);
}

/** A pid no process has now: one that ran and exited. */
async function deadPid(): Promise<number> {
  const child = rig.children.start('true', []);
  await child.exited;
  return child.pid;
}

describe('supervisor.pid', () => {
  it("naming another home's live supervisor is stale: start replaces it and stop --home leaves that supervisor alone", async () => {
    const other = await rig.startOneRepo(await temp.make());
    const home = join(await temp.make(), 'home');
    await mkdir(home, { mode: 0o700 });
    // As a copy of the other home, or a pid reused by another home's supervisor, leaves it.
    await writeFile(join(home, 'supervisor.pid'), `${other.child.pid}\n`);

    const stop = await rig.cli(['stop', '--home', home, '--timeout', '5000']);
    expect(stop.code).toBe(1);
    expect(stop.stderr).toContain(`No supervisor is running on ${home}: pid ${other.child.pid} from ${join(home, 'supervisor.pid')} is a supervisor of another home`);
    expect(isAlive(other.child.pid)).toBe(true);

    const supervisor = await rig.start(await oneRepoConfig(home), home);
    expect(supervisor.child.stdout()).toContain('replaced a stale supervisor.pid');
    await rig.waitForRepo(supervisor, 'acme/other', 'running', (repo) => repo.status === 'running');
    // Its own stop --home stops it, and only it.
    const stopped = await rig.cli(['stop', '--home', home, '--timeout', '30000']);
    expect(stopped).toMatchObject({ code: 0, stdout: `stopped the supervisor (pid ${supervisor.child.pid})\n` });
    expect(isAlive(other.child.pid)).toBe(true);
    expect((await rig.repos(other)).map((repo) => repo.slug)).toEqual(['acme/alpha']);
  });

  it('leaves no temporary file behind when the disk is full, and a later start removes a stale one (needs root: mounts a tmpfs)', async () => {
    const disk = await temp.make();
    await tmpfs.mount(disk, 256 * 1024);
    const home = join(disk, 'home');
    for (const folder of [home, join(home, 'logs'), join(home, 'repos')]) await mkdir(folder, { mode: 0o700 });
    const file = await oneRepoConfig(home);
    const filler = join(disk, 'filler');
    await expect(writeFile(filler, Buffer.alloc(512 * 1024))).rejects.toMatchObject({ code: 'ENOSPC' });

    const full = await rig.cli(['start', file, '--no-pretty']);
    expect(full.code).toBe(1);
    expect(full.stderr).toContain(`supervisor: Cannot start the supervisor: Cannot write ${join(home, 'supervisor.pid')}: ENOSPC`);
    expect(await readdir(home)).toEqual(['logs', 'repos']);

    // A temporary file of a process that died before it could remove it.
    const stale = `.supervisor.pid.${await deadPid()}.0123456789ab.tmp`;
    await writeFile(join(home, stale), '');
    await rm(filler);
    const supervisor = await rig.start(file, home);
    expect((await readdir(home)).filter((name) => name.endsWith('.tmp'))).toEqual([]);
    expect(await rig.stop(supervisor)).toEqual({ code: 0, signal: null });
  });
});
