// Corruption: a garbled, deleted or emptied state file, a SIGKILL while the registry is being saved, a log past its limit.
import { appendFile, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createGitRepo, createGitRepos } from '../lib/git-repos.mjs';
import { registryHolds } from '../lib/registry-checks.mjs';
import { supervisorYaml, writeConfig } from '../lib/supervisor.mjs';
import { check, waitFor } from '../lib/wait.mjs';
import { runBursts, killRightAfterAdd } from './corruption-bursts.mjs';

export const title = 'corruption: state file damage, SIGKILL while persisting, log rotation';

const GRACE_MS = 20_000;
const GARBLE = '{"version": 1, "repos": [{"slug": "torn';

/** Runs the corruption scenarios under `ctx`. */
export async function run(ctx) {
  const { tally } = ctx;
  const folder = await ctx.folder('corruption');
  const [configRepo, ...apiRepos] = await createGitRepos(folder, 'c', 4);
  const home = join(folder, 'home');
  const file = await writeConfig(folder, supervisorYaml(home, { grace_ms: GRACE_MS, log_max_bytes: 1048576 }, [{ path: configRepo, slug: 'corrupt/config' }]));
  const state = join(home, 'supervisor-state.json');
  let supervisor = await ctx.supervisor(file, home, GRACE_MS);
  const slugs = ['corrupt/config'];
  for (const [index, path] of apiRepos.entries()) {
    const answer = await supervisor.api('POST', '/api/repos', { path, slug: `corrupt/api-${index}` });
    check(answer.status === 201, `POST /api/repos answered ${answer.status} ${answer.text}`);
    slugs.push(`corrupt/api-${index}`);
  }
  await supervisor.waitAllRunning(slugs);
  tally.progress(`1 repo from repos.yaml and ${apiRepos.length} added over the API, running`);
  const restart = async () => {
    supervisor = await ctx.supervisor(file, home, GRACE_MS);
    return supervisor;
  };
  const asideFiles = async () => (await readdir(home)).filter((name) => name.startsWith('supervisor-state.json.corrupt-'));

  await tally.fault('garbled supervisor-state.json after a SIGKILL: moved aside, registry restored from the .bak', async () => {
    const asideBefore = await asideFiles();
    await supervisor.kill();
    await writeFile(state, GARBLE);
    await restart();
    await registryHolds(ctx.tally, supervisor, slugs, 'garbled state');
    const aside = (await asideFiles()).filter((name) => !asideBefore.includes(name));
    check(aside.length === 1, `expected one new supervisor-state.json.corrupt-* file, found ${aside.length}`);
    check((await readFile(join(home, aside[0]), 'utf8')) === GARBLE, 'the corrupt file moved aside does not hold what was there');
    const loud = supervisor.child.stdout().split('\n').find((line) => line.includes('restored the registry from supervisor-state.json.bak'));
    check(loud !== undefined && JSON.parse(loud).level === 50, 'no level-50 log line saying the registry came from the backup');
    return `${slugs.length} repos back (API repos included), garbage kept as ${aside[0]}`;
  });

  await tally.fault('deleted supervisor-state.json after a clean stop: registry restored from the .bak', async () => {
    const exit = await supervisor.stop();
    check(exit.code === 0, `SIGTERM gave ${JSON.stringify(exit)}`);
    await rm(state);
    await restart();
    await registryHolds(ctx.tally, supervisor, slugs, 'deleted state');
    check(supervisor.child.stdout().includes('was corrupt or missing'), 'no log line about the missing state file');
    return `${slugs.length} repos back`;
  });

  await tally.fault('zero-byte supervisor-state.json after a SIGKILL: registry restored from the .bak', async () => {
    await supervisor.kill();
    await writeFile(state, '');
    await restart();
    await registryHolds(ctx.tally, supervisor, slugs, 'empty state');
    return `${slugs.length} repos back`;
  });

  const burst = await runBursts(ctx, folder, () => supervisor, restart, slugs, GRACE_MS);
  await killRightAfterAdd(ctx, folder, () => supervisor, restart, [...slugs, ...burst], GRACE_MS);

  await tally.fault('a worker log written past log_max_bytes (1 MiB): rotated, the worker untouched', async () => {
    const before = (await supervisor.repos()).find((repo) => repo.slug === 'corrupt/config');
    const log = before.log_file;
    await appendFile(log, `${JSON.stringify({ level: 30, msg: 'x'.repeat(1000) })}\n`.repeat(3 * 1024));
    // The rotated copy keeps the newest log_max_bytes of the log (docs/RELIABILITY.md, "Log size"), not the whole 3 MiB.
    await waitFor('the log to be rotated', async () => {
      const copy = await stat(`${log}.1`).catch(() => undefined);
      return (await stat(log)).size < 1048576 && copy !== undefined && copy.size > 1_000_000 && copy.size <= 1048576;
    });
    const after = (await supervisor.repos()).find((repo) => repo.slug === 'corrupt/config');
    check(after.pid === before.pid && after.status === 'running', `the worker changed: ${before.pid} → ${after.pid} (${after.status})`);
    return `${log.split('/').pop()} is ${(await stat(log)).size} bytes, its newest ${(await stat(`${log}.1`)).size} bytes went to .1`;
  });

  await bothUnusable(ctx, folder);
}

/** State and backup both garbage: documented to start from repos.yaml alone, with the files moved aside and a loud error. */
async function bothUnusable(ctx, parent) {
  const folder = join(parent, 'both');
  const repo = await createGitRepo(join(folder, 'only'));
  const home = join(folder, 'home');
  const file = await writeConfig(folder, supervisorYaml(home, {}, [{ path: repo, slug: 'corrupt/only' }]));
  const first = await ctx.supervisor(file, home);
  await first.waitAllRunning(['corrupt/only']);
  await ctx.tally.fault('supervisor-state.json and its .bak both garbled: the repos of repos.yaml still start, with a loud error', async () => {
    check((await first.stop()).code === 0, 'the clean stop failed');
    await writeFile(join(home, 'supervisor-state.json'), GARBLE);
    await writeFile(join(home, 'supervisor-state.json.bak'), GARBLE);
    const second = await ctx.supervisor(file, home);
    await registryHolds(ctx.tally, second, ['corrupt/only'], 'state and backup garbled');
    const loud = second.child.stdout().split('\n').filter((line) => line.includes('no usable backup') && JSON.parse(line).level === 50);
    check(loud.length === 1, 'no level-50 log line about the unusable backup');
    return 'repos.yaml repo running; garbage moved aside';
  });
}
