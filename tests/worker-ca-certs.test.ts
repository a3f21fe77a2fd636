import { afterEach, describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { SupervisorRig } from './helpers/supervisor-rig.js';
import { TempDirs } from './helpers/temp-dir.js';
import { waitFor } from './helpers/wait-for.js';

// The supervisor starts each worker with NODE_EXTRA_CA_CERTS moved aside (node
// would parse the CA file at the worker's start, for TLS it never makes), and
// the worker puts it back for the processes it runs. A `git` of the test's own,
// first on PATH, records the environment the worker gives it.

const temp = new TempDirs();
const rig = new SupervisorRig();

afterEach(async () => {
  await rig.cleanup();
  await temp.cleanup();
});

/** The NUL-separated environment of a live process, as a map. */
async function environmentOf(pid: number): Promise<Map<string, string>> {
  const text = await readFile(`/proc/${pid}/environ`, 'utf8');
  return new Map(text.split('\0').filter((entry) => entry !== '').map((entry) => [entry.slice(0, entry.indexOf('=')), entry.slice(entry.indexOf('=') + 1)]));
}

describe("a worker's NODE_EXTRA_CA_CERTS", () => {
  it('is not in the worker process itself, and is back for what the worker runs', async () => {
    const root = await temp.make();
    const caFile = join(root, 'extra-ca.pem');
    await writeFile(caFile, '');
    const records = join(root, 'git-envs');
    await mkdir(records);
    const bin = join(root, 'bin');
    await mkdir(bin);
    const realGit = execFileSync('sh', ['-c', 'command -v git'], { encoding: 'utf8' }).trim();
    // Records the environment of each call by the pid of its caller, then runs the real git. The record is
    // written aside and renamed into place: the test never reads a file the shell has created but not yet filled.
    await writeFile(join(bin, 'git'), `#!/bin/sh\nenv > "${records}/.git-env.$$"\nmv "${records}/.git-env.$$" "${records}/git-env.$PPID"\nexec "${realGit}" "$@"\n`);
    await chmod(join(bin, 'git'), 0o755);

    const supervisor = await rig.startOneRepo(root, { env: { NODE_EXTRA_CA_CERTS: caFile, PATH: `${bin}:${process.env.PATH ?? ''}` } });
    const { pid } = await rig.waitForRepo(supervisor, 'acme/alpha', 'running', (repo) => repo.status === 'running');

    const worker = await environmentOf(pid ?? 0);
    expect(worker.has('NODE_EXTRA_CA_CERTS')).toBe(false);
    expect(worker.get('REPOVISOR_NODE_EXTRA_CA_CERTS')).toBe(caFile);

    // The watcher's first `git status` comes within one watch interval (2 s).
    const recorded = await waitFor('the worker to run git', async () => readFile(join(records, `git-env.${pid}`), 'utf8').catch(() => undefined));
    const lines = recorded.split('\n');
    expect(lines).toContain(`NODE_EXTRA_CA_CERTS=${caFile}`);
    expect(lines.some((line) => line.startsWith('REPOVISOR_NODE_EXTRA_CA_CERTS='))).toBe(false);
  });
});
