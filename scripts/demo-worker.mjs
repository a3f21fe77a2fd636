// `npm run demo:worker`: creates the demo repositories and runs a
// standalone worker on examples/repos/alpha, printing where its /api/runtimes
// is. Ctrl-C stops it (the worker exits 0 on SIGINT).
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createDemoRepos } from './create-demo-repos.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const paths = createDemoRepos();
const repo = paths.alpha;
const dataRoot = join(here, '..', 'examples', '.repovisor', 'repos', 'acme-alpha');
const worker = spawn(process.execPath, [join(here, '..', 'packages', 'worker', 'dist', 'bundle', 'repo-worker.cjs')], {
  stdio: ['ignore', 'pipe', 'inherit'],
  env: { ...process.env, REPOVISOR_SLUG: 'acme/alpha', REPOVISOR_REPO_PATH: repo, REPOVISOR_DATA_ROOT: dataRoot, REPOVISOR_HTTP_PORT: process.env.REPOVISOR_HTTP_PORT ?? '0' },
});

let announced = false;
worker.stdout.setEncoding('utf8');
worker.stdout.on('data', (chunk) => {
  process.stdout.write(chunk);
  if (announced) return;
  for (const line of chunk.split('\n')) {
    if (!line.includes('"worker listening"')) continue;
    const { url } = JSON.parse(line);
    announced = true;
    process.stdout.write(`\nRepovisor worker for acme/alpha (${repo}) is up.\n  /api/runtimes: ${url}\n  try: curl ${url}\n  Ctrl-C stops it.\n\n`);
  }
});
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => worker.kill(signal));
worker.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
