import { afterEach, describe, expect, it } from '@jest/globals';
import { readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isAlive } from './helpers/child-processes.js';
import { createGitRepo } from './helpers/git-repo.js';
import { REPO_ROOT, SUPERVISOR_MAIN } from './helpers/paths.js';
import { SupervisorRig, testSupervisorSection, workerPidsUnder } from './helpers/supervisor-rig.js';
import { TempDirs } from './helpers/temp-dir.js';

// A signal lands at a known moment of start-up: the supervisor signals itself from a
// preloaded fixture (tests/fixtures/signal-at.cjs) right after that moment.

const REPOS = 6;
const temp = new TempDirs();
const rig = new SupervisorRig();

afterEach(async () => {
  await rig.cleanup();
  await temp.cleanup();
});

async function severalRepos(root: string): Promise<{ file: string; home: string }> {
  const home = join(root, 'home');
  rig.track(home);
  const lines: string[] = [];
  for (let index = 0; index < REPOS; index += 1) {
    const repo = await createGitRepo(join(root, `repo-${index}`));
    lines.push(`  - {path: ${JSON.stringify(repo)}, slug: acme/repo-${index}}`);
  }
  const file = join(root, 'repos.yaml');
  await writeFile(file, `${testSupervisorSection(home)}\nrepos:\n${lines.join('\n')}\n`);
  return { file, home };
}

function withoutRepovisorVariables(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('REPOVISOR_')));
}

/** Pids of the workers the supervisor's log says it launched. */
function launchedPids(stdout: string): number[] {
  return stdout
    .split('\n')
    .filter((line) => line.includes('"worker launched"'))
    .map((line) => (JSON.parse(line) as { workerPid: number }).workerPid);
}

describe('a signal during start-up', () => {
  it.each([
    ['SIGINT', 'listen:1', 'as the control port opens, before any launch'],
    ['SIGTERM', 'spawn:1', "right after the first worker's launch"],
    ['SIGHUP', 'spawn:3', 'after three launches'],
    ['SIGTERM', 'listen:2', "as the API's port opens, before any launch"],
  ])('%s %s (%s) stops every worker, removes supervisor.pid and supervisor-port, and exits 0', async (signal, moment) => {
    const { file, home } = await severalRepos(await temp.make());
    const child = rig.children.start(
      process.execPath,
      ['-r', join(REPO_ROOT, 'tests', 'fixtures', 'signal-at.cjs'), SUPERVISOR_MAIN, 'start', file, '--no-pretty', '--log-level', 'debug'],
      { env: { ...withoutRepovisorVariables(), SIGNAL_AT: moment, SIGNAL_NAME: signal } },
    );
    const exit = await child.exited;
    expect({ exit, stderr: child.stderr() }).toEqual({ exit: { code: 0, signal: null }, stderr: '' });
    const launched = launchedPids(child.stdout());
    // Sent before any launch, a signal is handled at the supervisor's next turn of its event loop,
    // which may come after a few launches: each of them must be stopped again.
    if (moment.startsWith('spawn')) expect(launched.length).toBeGreaterThanOrEqual(Number(moment.split(':')[1]));
    for (const pid of launched) expect(isAlive(pid)).toBe(false);
    expect(await workerPidsUnder(home)).toEqual([]);
    const files = await readdir(home);
    expect(files).not.toContain('supervisor.pid');
    expect(files).not.toContain('supervisor-port');
    expect(child.stdout()).toContain('"supervisor stopped"');
  });
});
