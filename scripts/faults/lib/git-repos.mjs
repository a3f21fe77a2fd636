// Real git repositories in temporary folders.
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const IDENTITY = { GIT_AUTHOR_NAME: 'Repovisor Faults', GIT_AUTHOR_EMAIL: 'faults@repovisor.invalid', GIT_COMMITTER_NAME: 'Repovisor Faults', GIT_COMMITTER_EMAIL: 'faults@repovisor.invalid' };

/** Runs git in `cwd` with a fixed identity. */
export async function git(cwd, ...args) {
  const { stdout } = await run('git', args, { cwd, env: { ...process.env, ...IDENTITY } });
  return stdout.trim();
}

/** Creates a git repository with one commit at `path` (and an `origin` when given); resolves with `path`. */
export async function createGitRepo(path, { origin } = {}) {
  await mkdir(path, { recursive: true });
  await git(path, 'init', '-q', '-b', 'main');
  if (origin !== undefined) await git(path, 'remote', 'add', 'origin', origin);
  await writeFile(join(path, 'README.md'), `# ${path}\n`);
  await git(path, 'add', 'README.md');
  await git(path, 'commit', '-q', '-m', 'first');
  return path;
}

/** Creates `count` repositories `<folder>/<prefix>-<n>`, a few at a time; resolves with their paths. */
export async function createGitRepos(folder, prefix, count) {
  const paths = Array.from({ length: count }, (_, index) => join(folder, `${prefix}-${index}`));
  for (let at = 0; at < paths.length; at += 8) await Promise.all(paths.slice(at, at + 8).map((path) => createGitRepo(path)));
  return paths;
}

/** A new empty folder under the OS temp folder (the suite's root). */
export function makeTempRoot() {
  return mkdtemp(join(tmpdir(), 'repovisor-faults-'));
}
