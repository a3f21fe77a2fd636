// Creates the demo git repositories of the bundled example under examples/repos/
// (alpha, beta, gamma), each with a few commits. Safe to run again: existing
// repositories are left as they are.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', 'examples', 'repos');
const repos = [
  { name: 'alpha', origin: 'https://github.com/acme/alpha.git' },
  { name: 'beta', origin: 'git@github.com:acme/beta.git' },
  { name: 'gamma', origin: undefined },
];

/** Creates the demo repositories and returns their absolute paths by name. */
export function createDemoRepos() {
  const paths = {};
  for (const { name, origin } of repos) {
    const path = join(root, name);
    paths[name] = path;
    if (existsSync(join(path, '.git'))) continue;
    mkdirSync(path, { recursive: true });
    const git = (...args) => execFileSync('git', args, { cwd: path, stdio: 'ignore' });
    git('init', '-q', '-b', 'main');
    git('config', 'user.name', 'Repovisor Demo');
    git('config', 'user.email', 'demo@repovisor.invalid');
    if (origin) git('remote', 'add', 'origin', origin);
    for (const [file, text] of [['README.md', `# ${name}\n\nA demo repository for Repovisor.\n`], ['CHANGELOG.md', '- first release\n']]) {
      writeFileSync(join(path, file), text);
      git('add', file);
      git('commit', '-q', '-m', `add ${file}`);
    }
    process.stdout.write(`created demo repository ${path}\n`);
  }
  return paths;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) createDemoRepos();
