// What the pipeline phase runs on: a git repository with a bare origin (as a
// repo the pipeline merges into has), a standalone worker with the pipeline
// on (REPOVISOR_PIPELINE), its git traced to a file (GIT_TRACE2_EVENT), and
// its HTTP API.
import { execFile } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { benchEnv, spawnTracked } from './cleanup.mjs';

const run = promisify(execFile);
const WORKER_MAIN = fileURLToPath(new URL('../../../packages/worker/dist/bundle/repo-worker.cjs', import.meta.url));
const AGENT = fileURLToPath(new URL('../fixtures/instant-agent.mjs', import.meta.url));

/** Creates `<folder>/origin.git` (bare, `main` with one commit) and `<folder>/repo` (its clone, with an identity); resolves with both. */
export async function createOriginRepo(folder) {
  const origin = join(folder, 'origin.git');
  const repo = join(folder, 'repo');
  await mkdir(folder, { recursive: true });
  await run('git', ['init', '-q', '-b', 'main', repo]);
  await run('git', ['-C', repo, 'config', 'user.name', 'Repovisor Bench']);
  await run('git', ['-C', repo, 'config', 'user.email', 'bench@repovisor.invalid']);
  await run('git', ['-C', repo, 'commit', '-q', '--allow-empty', '-m', 'first']);
  await run('git', ['clone', '-q', '--bare', repo, origin]);
  await run('git', ['-C', repo, 'remote', 'add', 'origin', origin]);
  await run('git', ['-C', repo, 'fetch', '-q', 'origin']);
  return { origin, repo };
}

/** Complete pipeline settings: the instant agent, HydraFlow's 30 s poll, one run per stage at a time. */
export function benchPipeline() {
  return {
    enabled: true,
    source: 'local',
    remote: 'origin',
    base_branch: null,
    poll_interval_ms: 30_000,
    agent_timeout_ms: 120_000,
    max_issue_attempts: 3,
    max_review_fix_attempts: 2,
    max_plan_attempts: 3,
    max_workers: 1,
    agent: { command: [process.execPath, AGENT] },
    stages: {},
  };
}

/**
 * Starts a standalone worker on `repo` with `pipeline` (null: the pipeline
 * off) and resolves {child, base} once it logs "worker listening"; `extraEnv`
 * goes to the worker and so to its git and agents.
 */
export async function startPipelineWorker({ repo, dataRoot, pipeline, slug = 'bench/pipeline', nodeArgs = [], extraEnv = {} }) {
  const env = benchEnv({
    REPOVISOR_SLUG: slug,
    REPOVISOR_REPO_PATH: repo,
    REPOVISOR_DATA_ROOT: dataRoot,
    REPOVISOR_HTTP_PORT: '0',
    ...(pipeline === null ? {} : { REPOVISOR_PIPELINE: JSON.stringify(pipeline) }),
    ...extraEnv,
  });
  const child = spawnTracked(process.execPath, [...nodeArgs, WORKER_MAIN], { stdio: ['ignore', 'pipe', 'pipe'], env });
  let out = '';
  let err = '';
  child.stderr.on('data', (chunk) => (err += chunk));
  const url = await new Promise((resolve, reject) => {
    child.stdout.on('data', (chunk) => {
      out += chunk;
      const line = out.split('\n').find((each) => each.includes('"worker listening"'));
      if (line !== undefined) resolve(JSON.parse(line).url);
    });
    void child.exited.then(({ code, signal }) => reject(new Error(`the worker on ${repo} exited (${code ?? signal}) before listening: ${err.slice(-2000)}`)));
  });
  child.stdout.resume();
  return { child, base: new URL(url).origin };
}

/** Calls a worker's API; resolves {status, body} (the JSON answer). */
export async function api(base, method, path, body) {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, body: await response.json() };
}

/** Every event a worker holds, oldest first. */
export async function allEvents(base) {
  const events = [];
  for (let since = 0; ; ) {
    const { status, body } = await api(base, 'GET', `/api/events?since=${since}&limit=5000`);
    if (status !== 200) throw new Error(`GET /api/events answered ${status}: ${JSON.stringify(body)}`);
    events.push(...body.events);
    if (body.events.length < 5000) return events;
    since = body.events.at(-1).id;
  }
}

/** Ends a worker with SIGTERM (by pid) and waits for it. */
export async function endWorker(child) {
  if (child.exitCode === null && child.signalCode === null) process.kill(child.pid, 'SIGTERM');
  await child.exited;
}
