import { afterAll, describe, expect, it } from '@jest/globals';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ChildProcesses } from './helpers/child-processes.js';
import { REPO_ROOT } from './helpers/paths.js';
import { TempDirs } from './helpers/temp-dir.js';

const temp = new TempDirs();
const children = new ChildProcesses();

afterAll(async () => {
  await children.killAll();
  await temp.cleanup();
});

// The benchmark's module recorder: every module the ES loader and require load, one per line.
const RECORDER = join(REPO_ROOT, 'scripts/bench/fixtures/count-modules.mjs');
// The CLI as tsc compiled it, one module per source file: the bundle the
// `supervisor` command runs merges modules into one file, so only here can a
// loaded library be told by its path. The bundle defers each lazily imported
// module to its first import, at the same places.
const UNBUNDLED_MAIN = join(REPO_ROOT, 'packages/supervisor/dist/cli/main.js');

async function modulesLoadedBy(args: string[]): Promise<string[]> {
  const dir = await temp.make();
  const file = join(dir, 'modules.txt');
  const child = children.start(process.execPath, ['--import', RECORDER, UNBUNDLED_MAIN, ...args], {
    env: { ...process.env, RVBENCH_MODULES_FILE: file, REPOVISOR_HOME: '' },
  });
  await child.exited;
  return (await readFile(file, 'utf8')).split('\n').filter((line) => line !== '');
}

describe('supervisor status', () => {
  it('loads none of the server-side libraries (express, zod, pino, execa, yaml, prom-client, ws) with --home', async () => {
    const home = join(await temp.make(), 'no-supervisor-here');
    const modules = await modulesLoadedBy(['status', '--home', home]);
    expect(modules.some((line) => line.includes('/cli/client-commands.js'))).toBe(true);
    const heavy = modules.filter((line) => /node_modules\/(express|zod|pino|execa|yaml|prom-client|http-proxy-middleware|ws)\//.test(line));
    expect(heavy).toEqual([]);
  });
});
