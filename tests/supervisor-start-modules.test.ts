import { afterEach, describe, expect, it } from '@jest/globals';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { REPO_ROOT } from './helpers/paths.js';
import { SupervisorRig } from './helpers/supervisor-rig.js';
import { TempDirs } from './helpers/temp-dir.js';
import { waitFor } from './helpers/wait-for.js';

// The supervisor launches its first workers before it loads what it needs
// only later: node:http (the API, bound after the first launch, and the HTTP
// probes) and node:crypto (the token check of the workers' hellos).

const temp = new TempDirs();
const rig = new SupervisorRig();

afterEach(async () => {
  await rig.cleanup();
  await temp.cleanup();
});

describe("the supervisor's path to its first launch", () => {
  it('loads neither node:http nor node:crypto, and the supervisor then serves its API and accepts the hello', async () => {
    const root = await temp.make();
    const record = join(root, 'builtins.txt');
    const supervisor = await rig.startOneRepo(root, {
      nodeArgs: ['-r', join(REPO_ROOT, 'tests', 'fixtures', 'record-builtins.cjs')],
      env: { RECORD_BUILTINS_FILE: record, RECORD_BUILTINS_AT: 'spawn' },
    });
    // Loaded later, when needed: the hello is accepted (a token check) and the API answers.
    await rig.waitForRepo(supervisor, 'acme/alpha', 'running', (entry) => entry.status === 'running');

    const modules = (await waitFor('the modules at the first launch', () => readFile(record, 'utf8').catch(() => undefined))).split('\n');
    // The recorder itself works: launching needs child_process.
    expect(modules).toContain('NativeModule child_process');
    expect(modules.filter((name) => /^NativeModule (http|_http_server|crypto|internal\/crypto\/random)$/.test(name))).toEqual([]);
  });
});
