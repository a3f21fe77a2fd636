import { afterEach, describe, expect, it } from '@jest/globals';
import { chown, mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { reposYaml } from './helpers/claims-config.js';
import { runsAsRoot } from './helpers/process-facts.js';
import { SupervisorRig } from './helpers/supervisor-rig.js';
import { TempDirs } from './helpers/temp-dir.js';

// What `supervisor start` does with the home it finds (docs/CONFIGURATION.md,
// "Files under the home"; docs/RELIABILITY.md).
const temp = new TempDirs();
const rig = new SupervisorRig();

afterEach(async () => {
  await rig.cleanup();
  await temp.cleanup();
});

// The uid of `nobody` on Linux: any user other than the one running the test.
const OTHER_USER = 65_534;

describe('the home at start', () => {
  it('removes the .supervisor-state.json.*.tmp files a torn write left behind', async () => {
    const root = await temp.make();
    const home = join(root, 'home');
    await mkdir(home, { mode: 0o700 });
    const torn = ['.supervisor-state.json.4242.1.tmp', '.supervisor-state.json.4242.2.tmp'];
    for (const name of torn) await writeFile(join(home, name), '{"version": 1, "rep');
    const supervisor = await rig.start(await rig.writeConfig(root, reposYaml(home, {}, [])), home);
    const names = await readdir(home);
    expect(names.filter((name) => name.endsWith('.tmp'))).toEqual([]);
    expect(names).toContain('supervisor-state.json');
    expect((await rig.stop(supervisor)).code).toBe(0);
  });

  it('refuses a home that belongs to another user, with exit code 1', async () => {
    if (!runsAsRoot()) throw new Error('this test needs root: it gives the home folder to another user (chown), which only root may do');
    const root = await temp.make();
    const home = join(root, 'home');
    await mkdir(home, { mode: 0o700 });
    await chown(home, OTHER_USER, OTHER_USER);
    const result = await rig.cli(['start', await rig.writeConfig(root, reposYaml(home, {}, [])), '--no-pretty']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`supervisor: ${home} belongs to user ${OTHER_USER}, not to this user (0); another user could read its tokens, so use a home of your own`);
    expect(await readdir(home)).toEqual([]);
  });
});
