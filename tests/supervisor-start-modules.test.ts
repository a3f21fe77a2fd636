import { afterEach, describe, expect, it } from '@jest/globals';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createGitRepo } from './helpers/git-repo.js';
import { REPO_ROOT } from './helpers/paths.js';
import { SupervisorRig, testSupervisorSection } from './helpers/supervisor-rig.js';
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
    const repo = await createGitRepo(join(root, 'repo'));
    const home = join(root, 'home');
    const record = join(root, 'builtins.txt');
    const file = await rig.writeConfig(root, `${testSupervisorSection(home)}\nrepos:\n  - {path: ${JSON.stringify(repo)}, slug: acme/alpha}\n`);
    const supervisor = await rig.start(file, home, {
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
