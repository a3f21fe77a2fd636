import { execFile } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Runs git in `cwd` with a fixed identity (CI has no global one). */
export async function git(cwd: string, ...args: string[]): Promise<string> {
  const { stdout } = await run('git', args, {
    cwd,
    env: { ...process.env, GIT_AUTHOR_NAME: 'Repovisor Test', GIT_AUTHOR_EMAIL: 'test@repovisor.invalid', GIT_COMMITTER_NAME: 'Repovisor Test', GIT_COMMITTER_EMAIL: 'test@repovisor.invalid' },
  });
  return stdout.trim();
}

/** Options of {@link createGitRepo}. */
export interface GitRepoOptions {
  /** Commits to make (default 1; 0 leaves the repository empty). */
  commits?: number;
  /** URL of an `origin` remote to add. */
  origin?: string;
  /** Branch name (default main). */
  branch?: string;
}

/** Creates a real git repository at `path` with a local identity and some commits. */
export async function createGitRepo(path: string, options: GitRepoOptions = {}): Promise<string> {
  await mkdir(path, { recursive: true });
  await git(path, 'init', '-q', '-b', options.branch ?? 'main');
  await git(path, 'config', 'user.name', 'Repovisor Test');
  await git(path, 'config', 'user.email', 'test@repovisor.invalid');
  if (options.origin !== undefined) await git(path, 'remote', 'add', 'origin', options.origin);
  for (let index = 0; index < (options.commits ?? 1); index += 1) await commitFile(path, `file-${index}.txt`, `content ${index}\n`);
  return path;
}

/** Writes `name` in the repository and commits it; resolves with the new HEAD. */
export async function commitFile(repo: string, name: string, content: string): Promise<string> {
  await writeFile(join(repo, name), content);
  await git(repo, 'add', name);
  await git(repo, 'commit', '-q', '-m', `add ${name}`);
  return git(repo, 'rev-parse', 'HEAD');
}
