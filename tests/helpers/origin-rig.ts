import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { commitFile, createGitRepo, git } from './git-repo.js';
import type { TempDirs } from './temp-dir.js';

const run = promisify(execFile);

/** A bare origin, the operator's clone of it (on a branch of its own, with uncommitted work) and a data root. */
export interface OriginRig {
  root: string;
  /** The bare origin (`git init --bare`), base branch `main`. */
  origin: string;
  /** The operator's repository: a clone of the origin, on branch `operator-work`, with a local commit and uncommitted changes. */
  repo: string;
  dataRoot: string;
  /** What the operator's repository looks like: HEAD, branch, refs, status, index, worktrees and the uncommitted files. */
  operatorState(): Promise<string>;
  /** Another clone of the origin, for someone else's pushes. */
  otherClone(): Promise<string>;
  /** `main` on the origin. */
  originMain(): Promise<string>;
}

/** Makes an {@link OriginRig} in a new temporary folder of `temp`. */
export async function createOriginRig(temp: TempDirs): Promise<OriginRig> {
  const root = await temp.make('repovisor-origin-');
  const origin = join(root, 'origin.git');
  await run('git', ['init', '-q', '--bare', '-b', 'main', origin]);
  const seed = await createGitRepo(join(root, 'seed'), { commits: 2, origin });
  await commitFile(seed, 'shared.txt', 'line one\nline two\nline three\n');
  await git(seed, 'push', '-q', 'origin', 'main');
  const repo = join(root, 'repo');
  await git(root, 'clone', '-q', origin, repo);
  await git(repo, 'config', 'user.name', 'Operator');
  await git(repo, 'config', 'user.email', 'operator@repovisor.invalid');
  await git(repo, 'checkout', '-q', '-b', 'operator-work');
  await commitFile(repo, 'operator-only.txt', 'not pushed\n');
  await writeFile(join(repo, 'shared.txt'), 'line one\nedited by the operator, not committed\n');
  await writeFile(join(repo, 'scratch.txt'), 'untracked\n');
  let clones = 0;
  return {
    root,
    origin,
    repo,
    dataRoot: join(root, 'data'),
    operatorState: () => operatorState(repo),
    otherClone: async () => {
      clones += 1;
      const path = join(root, `other-${clones}`);
      await git(root, 'clone', '-q', origin, path);
      return path;
    },
    originMain: () => git(origin, 'rev-parse', 'refs/heads/main'),
  };
}

async function operatorState(repo: string): Promise<string> {
  // Without optional locks `git status` does not refresh (write) the index it reports on.
  const look = async (...args: string[]): Promise<string> => (await run('git', ['-C', repo, ...args], { env: { ...process.env, GIT_OPTIONAL_LOCKS: '0' } })).stdout;
  const index = createHash('sha256').update(await readFile(join(repo, '.git', 'index'))).digest('hex');
  return [
    await look('rev-parse', 'HEAD'),
    await look('symbolic-ref', 'HEAD'),
    await look('for-each-ref', '--format=%(refname) %(objectname)'),
    await look('status', '--porcelain=v2', '--branch', '--untracked-files=all'),
    await look('worktree', 'list', '--porcelain'),
    await look('config', '--local', '--list'),
    `index ${index}`,
    await readFile(join(repo, 'shared.txt'), 'utf8'),
    await readFile(join(repo, 'scratch.txt'), 'utf8'),
  ].join('\n');
}
