// Creates the demo git repositories of the bundled example under examples/repos/
// (alpha, beta, gamma), each with a few commits, and for each a bare origin
// under examples/origins/<name>.git that the demo's pipeline pushes to and
// merges into: it is the repository's `demo-origin` remote (the `origin`
// remotes are GitHub URLs that only give the slugs, and are never contacted).
// Safe to run again: what exists is left as it is, and only what is missing is made.
// `node scripts/create-demo-repos.mjs [<folder>]` makes them in another folder than
// examples/ (a test's copy of it).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const EXAMPLES = join(dirname(fileURLToPath(import.meta.url)), '..', 'examples');
/** The remote of each demo repository that the pipeline uses (`pipeline.remote` in examples/repos.yaml). */
const DEMO_REMOTE = 'demo-origin';
const repos = [
  { name: 'alpha', origin: 'https://github.com/acme/alpha.git' },
  { name: 'beta', origin: 'git@github.com:acme/beta.git' },
  { name: 'gamma', origin: undefined },
];

function gitIn(cwd) {
  return (...args) => execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
}

function createRepo(name, path, origin) {
  mkdirSync(path, { recursive: true });
  const git = gitIn(path);
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

/** Makes the bare origin of a demo repository with the repository's main branch, and adds it as its demo-origin remote. */
function createOrigin(name, path, origins) {
  const git = gitIn(path);
  const bare = join(origins, `${name}.git`);
  // Relative to the repository, so that the checkout can move; the worker resolves it from the repository too.
  const url = `../../origins/${name}.git`;
  if (!existsSync(join(bare, 'HEAD'))) {
    mkdirSync(origins, { recursive: true });
    execFileSync('git', ['init', '-q', '--bare', '-b', 'main', bare], { stdio: 'ignore' });
    git('push', '-q', url, 'main:main');
    process.stdout.write(`created demo origin ${bare}\n`);
  }
  const remotes = git('remote').split('\n');
  if (!remotes.includes(DEMO_REMOTE)) git('remote', 'add', DEMO_REMOTE, url);
}

/** Creates the demo repositories and their origins; returns the repositories' absolute paths by name. */
export function createDemoRepos(examples = EXAMPLES) {
  const paths = {};
  for (const { name, origin } of repos) {
    const path = join(examples, 'repos', name);
    paths[name] = path;
    if (!existsSync(join(path, '.git'))) createRepo(name, path, origin);
    createOrigin(name, path, join(examples, 'origins'));
  }
  return paths;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) createDemoRepos(process.argv[2] === undefined ? EXAMPLES : resolve(process.argv[2]));
