import { afterEach, describe, expect, it } from '@jest/globals';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { commitFile, createGitRepo, git } from './helpers/git-repo.js';
import { SupervisorRig, testSupervisorSection } from './helpers/supervisor-rig.js';
import { TempDirs } from './helpers/temp-dir.js';
import { waitFor } from './helpers/wait-for.js';

// A supervisor started with GIT_DIR and friends in its environment (from a git
// hook, or an operator's shell) must not let them point its own git, or its
// workers' git, at another repository than each repo's folder.

const temp = new TempDirs();
const rig = new SupervisorRig();

afterEach(async () => {
  await rig.cleanup();
  await temp.cleanup();
});

interface LoggedEvent {
  type: string;
  data: { head?: string | null; branch?: string | null };
}

async function events(home: string): Promise<LoggedEvent[]> {
  const text = await readFile(join(home, 'repos', 'acme-alpha', 'events.jsonl'), 'utf8').catch(() => '');
  return text
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as LoggedEvent);
}

describe('git location variables in the supervisor environment', () => {
  it('reach neither the supervisor’s git nor its workers’: the worker observes its own repository', async () => {
    const root = await temp.make();
    const own = await createGitRepo(join(root, 'own'), { branch: 'main', origin: 'git@github.com:acme/alpha.git' });
    const other = await createGitRepo(join(root, 'other'), { branch: 'elsewhere', origin: 'git@github.com:wrong/other.git' });
    const otherHead = await commitFile(other, 'other.txt', 'not this one\n');
    const ownHead = await git(own, 'rev-parse', 'HEAD');
    expect(ownHead).not.toBe(otherHead);

    const home = join(root, 'home');
    // No slug: the supervisor derives it from the origin remote with its own git.
    const file = await rig.writeConfig(root, `${testSupervisorSection(home, '', 'steady')}\nrepos:\n  - {path: ${JSON.stringify(own)}}\n`);
    const gitEnv = { GIT_DIR: join(other, '.git'), GIT_WORK_TREE: other, GIT_INDEX_FILE: join(other, '.git', 'index') };
    const supervisor = await rig.start(file, home, { env: gitEnv });

    const repo = await rig.waitForRepo(supervisor, 'acme/alpha', 'running', (entry) => entry.status === 'running');
    expect(repo.path).toBe(own);
    const observed = await waitFor('repo.observed', async () => (await events(home)).find((event) => event.type === 'repo.observed'));
    expect(observed.data).toMatchObject({ head: ownHead, branch: 'main' });
  });
});
