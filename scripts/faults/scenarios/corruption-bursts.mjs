// SIGKILL of the supervisor while it persists: during a burst of POST/DELETE, and right after a 201.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createGitRepo, createGitRepos } from '../lib/git-repos.mjs';
import { isAlive } from '../lib/processes.mjs';
import { check, waitFor } from '../lib/wait.mjs';
import { onePerSlug, registryHolds } from '../lib/registry-checks.mjs';

const BURST_SLUGS = 6;
const OPS_PER_SLUG = 8;

/**
 * Each round: every burst slug gets a serial chain of add/delete calls, all chains at once;
 * after a random number of answers the supervisor is SIGKILLed. After the restart each
 * slug must be registered exactly as its last answered call left it (or as its unanswered
 * in-flight call would), stored likewise, with one worker per registered slug and none
 * for the others. Resolves with the burst slugs registered at the end.
 */
export async function runBursts(ctx, folder, current, restart, steady, graceMs) {
  const paths = await createGitRepos(folder, 'burst', BURST_SLUGS);
  const slugs = paths.map((_, index) => `burst/b-${index}`);
  const present = Object.fromEntries(slugs.map((slug) => [slug, false]));
  for (let round = 0; round < ctx.options.burstKills; round += 1) {
    const killAfter = 3 + Math.floor(Math.random() * 20);
    await ctx.tally.fault(`SIGKILL the supervisor during a burst of POST/DELETE, after ${killAfter} answers (${round + 1}/${ctx.options.burstKills})`, async () => {
      const supervisor = current();
      const inFlight = {};
      let answers = 0;
      let killed;
      const chain = async (slug, path) => {
        for (let op = 0; op < OPS_PER_SLUG && killed === undefined; op += 1) {
          const add = !present[slug];
          inFlight[slug] = add;
          let answer;
          try {
            answer = add ? await supervisor.api('POST', '/api/repos', { path, slug }) : await supervisor.api('DELETE', `/api/repos/${slug}`);
          } catch {
            return; // Cut by the kill: the outcome of this call is unknown.
          }
          check(answer.status === (add ? 201 : 200), `${add ? 'POST' : 'DELETE'} ${slug} answered ${answer.status} ${answer.text}`);
          // An answer was sent, so the change was persisted before it, even if the kill came right after.
          present[slug] = add;
          delete inFlight[slug];
          answers += 1;
          if (answers >= killAfter && killed === undefined) killed = supervisor.kill();
        }
      };
      await Promise.all(slugs.map((slug, index) => chain(slug, paths[index])));
      killed ??= supervisor.kill();
      await killed;
      const next = await restart();
      const listed = new Set((await next.repos()).map((repo) => repo.slug));
      const stored = new Set(await next.storedSlugs());
      for (const slug of slugs) {
        const allowed = slug in inFlight ? [present[slug], inFlight[slug]] : [present[slug]];
        check(allowed.includes(listed.has(slug)), `${slug} is ${listed.has(slug) ? '' : 'not '}registered, but the answers say it ${present[slug] ? 'is' : 'is not'}`);
        check(listed.has(slug) === stored.has(slug), `${slug}: listed ${listed.has(slug)} but stored ${stored.has(slug)}`);
        present[slug] = listed.has(slug);
      }
      const registered = slugs.filter((slug) => present[slug]);
      try {
        await registryHolds(ctx.tally, next, [...steady, ...registered], 'burst kill');
      } catch (error) {
        // An orphan must not spill into the next round: wait for it to go (by its grace) and say so.
        throw new Error(`${error.message}; ${await orphansFate(next, [...steady, ...slugs], graceMs)}`);
      }
      for (const slug of slugs.filter((slug) => !present[slug])) {
        const stray = await next.workerPidsOf(slug);
        check(stray.length === 0, `${slug} is not registered but has worker(s) ${stray.join(', ')}`);
      }
      return `${answers} answers before the kill, ${Object.keys(inFlight).length} calls cut; after restart ${registered.length}/${slugs.length} burst repos registered as answered, one worker each`;
    });
  }
  return slugs.filter((slug) => present[slug]);
}

/** Waits (up to the grace and 15 s) for worker processes of `slugs` that the supervisor does not list; describes what became of them. */
async function orphansFate(supervisor, slugs, graceMs) {
  const listed = await supervisor.pids();
  const orphans = [];
  for (const slug of slugs) for (const pid of await supervisor.workerPidsOf(slug)) if (pid !== listed[slug]) orphans.push(pid);
  if (orphans.length === 0) return 'no unlisted worker';
  const since = Date.now();
  const gone = await waitFor('the orphans to exit', () => orphans.every((pid) => !isAlive(pid)), graceMs + 15_000).then(() => true, () => false);
  return gone ? `the unlisted worker(s) ${orphans.join(', ')} exited by themselves ${((Date.now() - since) / 1000).toFixed(1)} s later (grace ${graceMs} ms)` : `the unlisted worker(s) ${orphans.join(', ')} were still running after the grace`;
}

/**
 * The supervisor is SIGKILLed the moment it answers 201: the new worker runs, but its pid may
 * not be in supervisor-state.json yet. After the restart the repo must be registered and have
 * exactly one worker; a second one (the orphan of the killed supervisor) is reported with its
 * fate: it redials, is refused as a duplicate, and exits by itself after the grace.
 */
export async function killRightAfterAdd(ctx, folder, current, restart, steady, graceMs) {
  for (let round = 0; round < ctx.options.burstKills; round += 1) {
    const slug = `late/add-${round}`;
    const path = await createGitRepo(join(folder, `late-${round}`));
    await ctx.tally.fault(`SIGKILL the supervisor right after it answers 201 to POST /api/repos (${round + 1}/${ctx.options.burstKills})`, async () => {
      const supervisor = current();
      const answer = await supervisor.api('POST', '/api/repos', { path, slug });
      await supervisor.kill();
      check(answer.status === 201, `POST answered ${answer.status} ${answer.text}`);
      const launched = answer.body.pid;
      const storedPid = JSON.parse(await readFile(join(supervisor.home, 'supervisor-state.json'), 'utf8')).repos.find((repo) => repo.slug === slug)?.pid ?? null;
      const next = await restart();
      steady.push(slug);
      await registryHolds(ctx.tally, next, steady, 'kill after 201', { single: false });
      const listed = (await next.pids())[slug];
      const workers = await next.workerPidsOf(slug);
      if (workers.length > 1) {
        const orphans = workers.filter((pid) => pid !== listed);
        const since = Date.now();
        const gone = await waitFor('the orphan to exit', async () => orphans.every((pid) => !isAlive(pid)), graceMs + 15_000).then(() => true, () => false);
        throw new Error(
          `two workers for ${slug} after the restart: pid ${listed} (started by the new supervisor) and orphan ${orphans.join(', ')} ` +
            `(launched by the killed supervisor for its 201, pid ${launched}; supervisor-state.json held pid ${storedPid} for it, so it was not re-adopted); ` +
            (gone ? `the orphan exited by itself ${((Date.now() - since) / 1000).toFixed(1)} s later (grace ${graceMs} ms)` : 'the orphan was still running after the grace'),
        );
      }
      await onePerSlug(next, steady);
      return `${slug} registered after the restart (pid ${launched} at the 201, stored pid ${storedPid}), one worker`;
    });
  }
}
