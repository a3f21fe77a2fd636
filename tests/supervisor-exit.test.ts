import { afterEach, describe, expect, it } from '@jest/globals';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { REPO_ROOT } from './helpers/paths.js';
import { SupervisorRig } from './helpers/supervisor-rig.js';
import { TempDirs } from './helpers/temp-dir.js';

// A supervisor that has stopped its workers must exit then, not when some
// forgotten timer runs out: `supervisor stop`, systemd and the tests all wait
// for its exit. A preloaded recorder lists what still keeps its event loop
// alive right after it logs "supervisor stopped".

const temp = new TempDirs();
const rig = new SupervisorRig();

afterEach(async () => {
  await rig.cleanup();
  await temp.cleanup();
});

describe('a stopped supervisor', () => {
  it('has no timer left once its workers have stopped, so it exits at once', async () => {
    const root = await temp.make();
    const record = join(root, 'resources.json');
    const supervisor = await rig.startOneRepo(root, {
      nodeArgs: ['-r', join(REPO_ROOT, 'tests', 'fixtures', 'record-resources-at-stop.cjs')],
      env: { RECORD_RESOURCES_FILE: record },
    });
    await rig.waitForRepo(supervisor, 'acme/alpha', 'running', (entry) => entry.status === 'running');

    expect(await rig.stop(supervisor)).toEqual({ code: 0, signal: null });
    const resources = JSON.parse(await readFile(record, 'utf8')) as string[];
    // Its worker was stopped through the control connection, which the wait for its exit raced against a timer.
    expect(resources.filter((name) => name === 'Timeout')).toEqual([]);
  });
});
