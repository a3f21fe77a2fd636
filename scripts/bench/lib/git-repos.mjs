// Real git repositories for the bench, made quickly: `git init` and one empty
// commit each, a few at a time.
import { execFile } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

async function createRepo(path) {
  await mkdir(path, { recursive: true });
  await run('git', ['init', '-q', '-b', 'main', path]);
  await run('git', ['-C', path, '-c', 'user.name=Repovisor Bench', '-c', 'user.email=bench@repovisor.invalid', 'commit', '-q', '--allow-empty', '-m', 'first']);
}

/** Creates `count` repositories `<root>/repo-<i>` and resolves with their absolute paths. */
export async function createRepos(root, count, parallel = 8) {
  const paths = Array.from({ length: count }, (_, index) => join(root, `repo-${String(index).padStart(3, '0')}`));
  for (let at = 0; at < paths.length; at += parallel) await Promise.all(paths.slice(at, at + parallel).map(createRepo));
  return paths;
}
