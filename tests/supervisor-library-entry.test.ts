import { afterEach, describe, expect, it } from '@jest/globals';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ChildProcesses } from './helpers/child-processes.js';
import { createGitRepo } from './helpers/git-repo.js';
import { REPO_ROOT } from './helpers/paths.js';
import { TempDirs } from './helpers/temp-dir.js';

// @repovisor/supervisor is also a library (package.json "exports": dist/index.js);
// the programs start from the bundles instead, so only a program of its own
// runs that entry, in plain node, as a user of the package would.

const temp = new TempDirs();
const children = new ChildProcesses();

afterEach(async () => {
  await children.killAll();
  await temp.cleanup();
});

const PROGRAM = `
import { loadConfig, ConfigError, startSupervisor, RestartPolicy } from '@repovisor/supervisor';
const loaded = await loadConfig(process.argv[1]);
let refused = '';
try {
  await loadConfig(process.argv[2]);
} catch (error) {
  refused = error instanceof ConfigError ? error.problems.join('; ') : String(error);
}
console.log(JSON.stringify({ slugs: loaded.repos.map((repo) => repo.slug), refused, start: typeof startSupervisor, policy: typeof RestartPolicy }));
`;

describe('the library entry of @repovisor/supervisor', () => {
  it('loads in plain node, reads a repos.yaml and refuses a bad one with its problems, and keeps nothing running after', async () => {
    const root = await temp.make();
    await createGitRepo(join(root, 'alpha'));
    const good = join(root, 'good.yaml');
    const bad = join(root, 'bad.yaml');
    await writeFile(good, 'repos:\n  - {path: ./alpha, slug: acme/alpha}\n');
    await writeFile(bad, 'repos:\n  - {path: ./nowhere}\n');
    // From the checkout's root, where the workspace links node_modules/@repovisor/supervisor to the package.
    const child = children.start(process.execPath, ['--input-type=module', '-e', PROGRAM, good, bad], { cwd: REPO_ROOT });
    // The process ends by itself: importing the library starts no server, timer or worker.
    expect(await child.exited).toEqual({ code: 0, signal: null });
    expect(child.stderr()).toBe('');
    const printed = JSON.parse(child.stdout()) as { slugs: string[]; refused: string; start: string; policy: string };
    expect(printed.slugs).toEqual(['acme/alpha']);
    expect(printed.refused).toContain('nowhere');
    expect([printed.start, printed.policy]).toEqual(['function', 'function']);
  });
});
