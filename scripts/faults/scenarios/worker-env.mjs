// Bad worker environments: repo-worker run by hand with missing or malformed variables, or a repository that is gone.
import { mkdir, readFile, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { createGitRepo } from '../lib/git-repos.mjs';
import { cleanEnv, killGroup } from '../lib/processes.mjs';
import { WORKER_MAIN } from '../lib/supervisor.mjs';
import { check, sleep, waitFor } from '../lib/wait.mjs';

export const title = 'worker environment: missing, malformed, or a repository that is gone';

/** Runs the worker with `env` (nothing inherited but PATH and HOME); resolves with its exit and output. */
async function runWorker(ctx, env, deadlineMs = 60_000) {
  const child = ctx.processes.start(process.execPath, [WORKER_MAIN], { env: cleanEnv(env) });
  const hung = sleep(deadlineMs).then(() => 'hung');
  if ((await Promise.race([child.exited, hung])) === 'hung') {
    killGroup(child.pid);
    throw new Error(`repo-worker kept running for ${deadlineMs} ms; stdout: ${child.stdout().slice(0, 300)}`);
  }
  return { ...(await child.exited), stdout: child.stdout(), stderr: child.stderr() };
}

/** The data root's files and their content, to prove a refused start changed nothing stored. */
async function snapshot(dataRoot) {
  const files = {};
  for (const name of (await readdir(dataRoot)).sort()) {
    if (name.endsWith('.jsonl') || name.endsWith('.json')) files[name] = await readFile(join(dataRoot, name), 'utf8');
  }
  return files;
}

/** Runs the worker environment inputs under `ctx`. */
export async function run(ctx) {
  const folder = await ctx.folder('worker-env');
  const repo = await createGitRepo(join(folder, 'repo'));
  const dataRoot = join(folder, 'data');
  const valid = { REPOVISOR_SLUG: 'acme/env', REPOVISOR_REPO_PATH: repo, REPOVISOR_DATA_ROOT: dataRoot, REPOVISOR_HTTP_PORT: '0' };

  // A first, good run leaves state behind in the data root; no refused start may change it.
  const seed = ctx.processes.start(process.execPath, [WORKER_MAIN], { env: cleanEnv(valid) });
  await waitFor('the seed worker to listen', () => seed.stdout().includes('worker listening'));
  process.kill(seed.pid, 'SIGTERM');
  const seedExit = await seed.exited;
  check(seedExit.code === 0, `the seed worker exited with ${JSON.stringify(seedExit)}`);
  const before = await snapshot(dataRoot);
  check(Object.keys(before).length > 0, 'the seed worker stored nothing');
  ctx.tally.progress(`a standalone worker ran once and stored ${Object.keys(before).join(', ')}; every refused start below must leave them as they are`);

  const gone = join(folder, 'gone');
  await createGitRepo(gone);
  await rm(gone, { recursive: true, force: true });
  const plain = join(folder, 'plain');
  await mkdir(plain);
  const without = (name) => Object.fromEntries(Object.entries(valid).filter(([key]) => key !== name));

  const refused = (name, env, patterns) =>
    ctx.tally.badInput(name, async () => {
      const result = await runWorker(ctx, { REPOVISOR_DATA_ROOT: dataRoot, ...env });
      check(result.code === 2, `exit ${JSON.stringify({ code: result.code, signal: result.signal })}, expected 2; stderr: ${result.stderr.slice(0, 300)}`);
      check(result.stderr.startsWith('repo-worker: '), `stderr does not start with "repo-worker: ": ${result.stderr.slice(0, 200)}`);
      for (const pattern of patterns) check(pattern.test(result.stderr), `stderr does not match ${pattern}: ${result.stderr.slice(0, 300)}`);
      const after = await snapshot(dataRoot);
      check(JSON.stringify(after) === JSON.stringify(before), 'the data root changed');
      const reason = result.stderr.split('\n').find((line) => line.startsWith('  - ')) ?? result.stderr.split('\n')[0];
      return `exit 2: ${reason.trim().slice(0, 130)}`;
    });

  await refused('no variables at all', { REPOVISOR_DATA_ROOT: undefined }, [/REPOVISOR_SLUG is required/, /REPOVISOR_REPO_PATH is required/, /REPOVISOR_DATA_ROOT is required/]);
  for (const name of ['REPOVISOR_SLUG', 'REPOVISOR_REPO_PATH', 'REPOVISOR_DATA_ROOT']) {
    await refused(`${name} missing`, { ...without(name), REPOVISOR_DATA_ROOT: name === 'REPOVISOR_DATA_ROOT' ? undefined : dataRoot }, [new RegExp(`${name} is required`)]);
  }
  await refused('REPOVISOR_SLUG empty', { ...valid, REPOVISOR_SLUG: '' }, [/REPOVISOR_SLUG is required/]);
  await refused('REPOVISOR_SLUG with ".."', { ...valid, REPOVISOR_SLUG: '../escape' }, [/REPOVISOR_SLUG: invalid slug "\.\.\/escape"/]);
  await refused('REPOVISOR_SLUG with three segments', { ...valid, REPOVISOR_SLUG: 'a/b/c' }, [/REPOVISOR_SLUG: invalid slug/]);
  await refused('REPOVISOR_SLUG with a control character', { ...valid, REPOVISOR_SLUG: 'bad\u001bslug' }, [/REPOVISOR_SLUG: invalid slug/]);
  await refused('REPOVISOR_REPO_PATH relative', { ...valid, REPOVISOR_REPO_PATH: 'repo' }, [/REPOVISOR_REPO_PATH must be an absolute path/]);
  await refused('REPOVISOR_DATA_ROOT relative', { ...valid, REPOVISOR_DATA_ROOT: 'data' }, [/REPOVISOR_DATA_ROOT must be an absolute path/]);
  await refused('REPOVISOR_REPO_PATH pointing at a folder that is gone', { ...valid, REPOVISOR_REPO_PATH: gone }, [/REPOVISOR_REPO_PATH: .*gone does not exist/]);
  await refused('REPOVISOR_REPO_PATH pointing at a folder that is not a repository', { ...valid, REPOVISOR_REPO_PATH: plain }, [/REPOVISOR_REPO_PATH: .* not a git repository/]);
  await refused('REPOVISOR_CONTROL without a port', { ...valid, REPOVISOR_CONTROL: 'localhost', REPOVISOR_TOKEN: 't'.repeat(32) }, [/REPOVISOR_CONTROL must be host:port/]);
  await refused('REPOVISOR_CONTROL with port 99999', { ...valid, REPOVISOR_CONTROL: '127.0.0.1:99999', REPOVISOR_TOKEN: 't'.repeat(32) }, [/REPOVISOR_CONTROL: the port must be between 1 and 65535/]);
  await refused('REPOVISOR_CONTROL with shell characters', { ...valid, REPOVISOR_CONTROL: '127.0.0.1:1; rm -rf /', REPOVISOR_TOKEN: 't'.repeat(32) }, [/REPOVISOR_CONTROL must be host:port/]);
  await refused('REPOVISOR_CONTROL without REPOVISOR_TOKEN', { ...valid, REPOVISOR_CONTROL: '127.0.0.1:9' }, [/REPOVISOR_TOKEN: required when REPOVISOR_CONTROL is set/]);
  await refused('REPOVISOR_TOKEN too short', { ...valid, REPOVISOR_CONTROL: '127.0.0.1:9', REPOVISOR_TOKEN: 'short' }, [/REPOVISOR_TOKEN must be at least 16 characters/]);
  await refused('REPOVISOR_HTTP_PORT not a number', { ...valid, REPOVISOR_HTTP_PORT: 'eighty' }, [/REPOVISOR_HTTP_PORT/]);
  await refused('REPOVISOR_HTTP_PORT out of range', { ...valid, REPOVISOR_HTTP_PORT: '70000' }, [/REPOVISOR_HTTP_PORT/]);
  await refused('REPOVISOR_GRACE_MS negative', { ...valid, REPOVISOR_GRACE_MS: '-1' }, [/REPOVISOR_GRACE_MS/]);
  await refused('REPOVISOR_WATCH_INTERVAL_MS not a number', { ...valid, REPOVISOR_WATCH_INTERVAL_MS: 'soon' }, [/REPOVISOR_WATCH_INTERVAL_MS/]);
  await refused('REPOVISOR_LOG_LEVEL unknown', { ...valid, REPOVISOR_LOG_LEVEL: 'loud' }, [/REPOVISOR_LOG_LEVEL/]);
}
