import { afterEach, describe, expect, it } from '@jest/globals';
import { appendFile, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startWithRepos } from './helpers/claims-config.js';
import { SupervisorRig } from './helpers/supervisor-rig.js';
import { TempDirs } from './helpers/temp-dir.js';
import { waitFor } from './helpers/wait-for.js';

// log_max_bytes: the supervisor's periodic check copies a worker log over the
// limit to <key>.log.1, shifting older copies, and truncates it in place
// (docs/CONFIGURATION.md, docs/RELIABILITY.md "Logs cannot fill the disk").
const temp = new TempDirs();
const rig = new SupervisorRig();

afterEach(async () => {
  await rig.cleanup();
  await temp.cleanup();
});

const read = (file: string) => readFile(file, 'utf8').catch(() => '');

describe("the supervisor's log rotation", () => {
  it('copies a log over log_max_bytes to .log.1, shifts the older copy to .log.2 and empties the log in place', async () => {
    const supervisor = await startWithRepos(rig, await temp.make(), { log_max_bytes: 1024 }, [{ slug: 'acme/alpha' }]);
    await rig.waitForRepo(supervisor, 'acme/alpha', 'running', (repo) => repo.status === 'running');
    const log = join(supervisor.home, 'logs', 'acme-alpha.log');
    const flood = (marker: string) => appendFile(log, `${JSON.stringify({ msg: marker, pad: 'x'.repeat(200) })}\n`.repeat(10));

    await flood('first-flood');
    // The copy is written before the log is emptied: both are waited for.
    await waitFor('the first rotation', async () => (await read(`${log}.1`)).includes('first-flood'));
    await waitFor('the log emptied after the first rotation', async () => !(await read(log)).includes('first-flood'));
    await flood('second-flood');
    await waitFor('the second rotation', async () => (await read(`${log}.1`)).includes('second-flood'));
    expect(await read(`${log}.2`)).toContain('first-flood');
    await waitFor('the log emptied after the second rotation', async () => !(await read(log)).includes('second-flood'));
    // The worker carries on: it is the same process, still running.
    expect((await rig.repos(supervisor))[0]).toMatchObject({ status: 'running', restarts: 0 });
  });
});
