import { afterEach, describe, expect, it } from '@jest/globals';
import { closeSync, openSync } from 'node:fs';
import { mkdir, rename, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { isAlive } from './helpers/child-processes.js';
import { createGitRepo } from './helpers/git-repo.js';
import { freeBytes, SmallTmpfs } from './helpers/small-tmpfs.js';
import { SupervisorRig, testSupervisorSection } from './helpers/supervisor-rig.js';
import { TempDirs } from './helpers/temp-dir.js';
import { waitFor } from './helpers/wait-for.js';

const temp = new TempDirs();
const rig = new SupervisorRig();
const tmpfs = new SmallTmpfs();

afterEach(async () => {
  await rig.cleanup();
  await tmpfs.unmountAll();
  await temp.cleanup();
});

// Appends to the file given as its stdout until the disk is full (ENOSPC ends it), as a flooding worker would.
const FILLER = "const { writeSync } = require('node:fs'); const chunk = Buffer.from(('x'.repeat(1000) + '\\n').repeat(64)); for (;;) writeSync(1, chunk);";

describe('the log rotation of a failed repo on a full disk', () => {
  it("truncates the log of a repo that has failed when the disk is full, and the disk's space comes back", async () => {
    const root = await temp.make();
    const home = join(root, 'home');
    await mkdir(home);
    const disk = 8 * 1024 * 1024;
    const maxBytes = 1024 * 1024;
    await tmpfs.mount(home, disk);
    const repo = await createGitRepo(join(root, 'alpha'));
    const file = await rig.writeConfig(
      root,
      `${testSupervisorSection(home, `  log_max_bytes: ${maxBytes}`)}\nrepos:\n  - {path: ${JSON.stringify(repo)}, slug: acme/alpha}\n`,
    );
    const supervisor = await rig.start(file, home);
    const running = await rig.waitForRepo(supervisor, 'acme/alpha', 'running', (entry) => entry.status === 'running');

    // The repository goes away and its worker is killed: every restart exits at once, until the repo is failed.
    await rename(repo, `${repo}-moved`);
    process.kill(running.pid ?? 0, 'SIGKILL');
    await rig.waitForRepo(supervisor, 'acme/alpha', 'failed', (entry) => entry.status === 'failed');
    await waitFor('the worker to be gone', () => !isAlive(running.pid ?? 0));

    const log = join(home, 'logs', 'acme-alpha.log');
    const fd = openSync(log, 'a', 0o600);
    const filler = rig.children.start(process.execPath, ['-e', FILLER], { stdio: ['ignore', fd, 'pipe'] });
    closeSync(fd);
    const filled = await filler.exited;
    expect({ code: filled.code, enospc: filler.stderr().includes('ENOSPC') }).toEqual({ code: 1, enospc: true });
    expect((await stat(log)).size).toBeGreaterThan(disk / 2);

    // The supervisor's next check (every 2 s) truncates it although the copy finds no space.
    await waitFor('the log to be truncated', async () => (await stat(log)).size <= maxBytes);
    await waitFor('the space to come back', async () => (await freeBytes(home)) > disk / 2);
    await waitFor('the warning about the full disk', () => supervisor.child.stdout().includes('the disk is full: truncated a worker log'));
    expect((await rig.repos(supervisor)).find((entry) => entry.slug === 'acme/alpha')?.status).toBe('failed');
  });
});
