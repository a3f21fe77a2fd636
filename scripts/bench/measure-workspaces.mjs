// Analysis tool, not part of `npm run bench` (yet): how long a task workspace
// takes to make from a large repository, and how much disk it costs, for the
// three ways docs/ARCHITECTURE.md ("Task workspaces") weighs:
//   worktree         git -C <repo> worktree add --detach <ws> origin/main
//   clone-no-checkout git clone --local --no-checkout <repo> <ws>, set origin's URL, fetch, checkout
//   clone            git clone --local <repo> <ws>, set origin's URL, fetch, checkout
// Each run makes one workspace per way, taking turns, so a busy machine hurts
// each alike; "disk" is what the workspace adds to the repository's own use
// (hardlinked objects count once), "repo .git" what it adds inside the
// operator's .git. Usage: node scripts/bench/measure-workspaces.mjs [runs=5] [--files=50000] [--commits=300]
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createLargeRepo } from './lib/large-repo.mjs';
import { percentile } from './lib/stats.mjs';

const run = promisify(execFile);
const git = (cwd, ...args) => run('git', ['-C', cwd, ...args], { maxBuffer: 64 * 1024 * 1024 });

async function kibibytes(...paths) {
  const { stdout } = await run('du', ['-sk', '--total', ...paths]);
  return Number(stdout.trim().split('\n').at(-1).split('\t')[0]);
}

const WAYS = {
  worktree: async ({ repo, ws }) => {
    await git(repo, 'worktree', 'add', '-q', '--detach', ws, 'origin/main');
  },
  'clone-no-checkout': async ({ repo, origin, ws }) => {
    await run('git', ['clone', '-q', '--local', '--no-checkout', repo, ws]);
    await git(ws, 'remote', 'set-url', 'origin', origin);
    await git(ws, 'fetch', '-q', 'origin', 'main');
    await git(ws, 'checkout', '-q', '--detach', 'FETCH_HEAD');
  },
  clone: async ({ repo, origin, ws }) => {
    await run('git', ['clone', '-q', '--local', repo, ws]);
    await git(ws, 'remote', 'set-url', 'origin', origin);
    await git(ws, 'fetch', '-q', 'origin', 'main');
    await git(ws, 'checkout', '-q', '--detach', 'FETCH_HEAD');
  },
};

async function main() {
  const runs = Number(process.argv.slice(2).find((arg) => /^\d+$/.test(arg)) ?? 5);
  const option = (name, fallback) => Number(process.argv.find((arg) => arg.startsWith(`--${name}=`))?.slice(name.length + 3) ?? fallback);
  const root = await mkdtemp(join(tmpdir(), 'repovisor-bench-workspaces-'));
  try {
    const made = performance.now();
    const { origin, repo } = await createLargeRepo(join(root, 'large'), { files: option('files', 50_000), commits: option('commits', 300) });
    const files = (await git(repo, 'ls-files')).stdout.split('\n').length - 1;
    const commits = (await git(repo, 'rev-list', '--count', 'HEAD')).stdout.trim();
    process.stderr.write(`repository: ${files} files, ${commits} commits, made in ${((performance.now() - made) / 1000).toFixed(1)} s\n`);
    const results = Object.fromEntries(Object.keys(WAYS).map((way) => [way, { ms: [], diskKiB: [], repoGitKiB: [] }]));
    for (let index = 0; index < runs; index += 1) {
      for (const [way, make] of Object.entries(WAYS)) {
        const ws = join(root, `ws-${way}-${index}`);
        const repoBefore = await kibibytes(repo);
        const gitBefore = await kibibytes(join(repo, '.git'));
        const started = performance.now();
        await make({ repo, origin, ws });
        results[way].ms.push(performance.now() - started);
        results[way].diskKiB.push((await kibibytes(repo, ws)) - repoBefore);
        results[way].repoGitKiB.push((await kibibytes(join(repo, '.git'))) - gitBefore);
        if (way === 'worktree') await git(repo, 'worktree', 'remove', '--force', ws);
        else await rm(ws, { recursive: true, force: true });
      }
    }
    const line = (cells) => `| ${cells.join(' | ')} |`;
    const rows = [line(['way', 'p50 ms', 'max ms', 'disk MiB (p50)', "repo .git KiB (p50)"]), line(['---', '---:', '---:', '---:', '---:'])];
    for (const [way, { ms, diskKiB, repoGitKiB }] of Object.entries(results)) {
      rows.push(line([way, percentile(ms, 50).toFixed(0), Math.max(...ms).toFixed(0), (percentile(diskKiB, 50) / 1024).toFixed(1), percentile(repoGitKiB, 50).toFixed(0)]));
    }
    process.stdout.write(`${rows.join('\n')}\n`);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

await main();
