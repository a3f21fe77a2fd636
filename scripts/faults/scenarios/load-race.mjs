// 100 concurrent adds and deletes racing on overlapping slugs, under the load supervisor.
import { createGitRepos } from '../lib/git-repos.mjs';
import { pool } from '../lib/sockets.mjs';
import { check } from '../lib/wait.mjs';

const RACE_SLUGS = 10;

/**
 * Fires `options.raceCalls` POST/DELETE calls at once on a few slugs, then checks that the
 * registry (listed and stored) matches the successful answers and that exactly one worker
 * runs per registered slug and none for the others, while the load repos keep their pids.
 */
export async function race(ctx, folder, supervisor, loadPids) {
  const { tally, options } = ctx;
  const paths = await createGitRepos(folder, 'race', RACE_SLUGS);
  const slugs = paths.map((_, index) => `race/r-${index}`);
  // Half the slugs are registered first, so that deletes race with each other and with adds.
  const preset = slugs.filter((_, index) => index % 2 === 0);
  for (const slug of preset) {
    const answer = await supervisor.api('POST', '/api/repos', { path: paths[slugs.indexOf(slug)], slug });
    check(answer.status === 201, `pre-registering ${slug} answered ${answer.status} ${answer.text}`);
  }
  await supervisor.waitAllRunning(preset, 300_000);
  const calls = Array.from({ length: options.raceCalls }, (_, index) => ({ slug: slugs[index % RACE_SLUGS], path: paths[index % RACE_SLUGS], add: Math.random() < 0.5 }));
  calls.sort(() => Math.random() - 0.5);
  tally.progress(`race: ${preset.length} of ${RACE_SLUGS} slugs registered; now ${calls.length} concurrent calls (${calls.filter((call) => call.add).length} adds, ${calls.filter((call) => !call.add).length} deletes)`);
  const results = await pool(
    calls.map((call) => async () => {
      const answer = call.add ? await supervisor.api('POST', '/api/repos', { path: call.path, slug: call.slug }) : await supervisor.api('DELETE', `/api/repos/${call.slug}`);
      return { ...call, status: answer.status, text: answer.text };
    }),
    calls.length,
  );
  const count = (status) => results.filter((result) => result.status === status).length;
  Object.assign(tally.load, { raceCalls: calls.length, race201: count(201), race409: count(409), race200: count(200), race404: count(404), raceConsistent: false });
  const problems = [];
  const odd = results.filter((result) => !(result.add ? [201, 409] : [200, 404]).includes(result.status));
  if (odd.length > 0) problems.push(`unexpected answers: ${odd.slice(0, 3).map((result) => `${result.add ? 'POST' : 'DELETE'} ${result.slug} → ${result.status} ${result.text.slice(0, 100)}`).join('; ')}`);
  const listed = new Set((await supervisor.repos()).map((repo) => repo.slug));
  const stored = new Set(await supervisor.storedSlugs());
  const overstated = [];
  for (const slug of slugs) {
    const added = (preset.includes(slug) ? 1 : 0) + results.filter((result) => result.slug === slug && result.add && result.status === 201).length;
    const removed = results.filter((result) => result.slug === slug && !result.add && result.status === 200).length;
    if (removed > added) {
      overstated.push(`${slug} ${removed} × 200 for ${added} registration(s)`);
    } else if (added - removed !== (listed.has(slug) ? 1 : 0)) {
      problems.push(`${slug}: ${added} adds (pre-registration included) and ${removed} deletes answered success, but it is ${listed.has(slug) ? '' : 'not '}listed`);
    }
    if (listed.has(slug) !== stored.has(slug)) problems.push(`${slug}: listed ${listed.has(slug)}, stored ${stored.has(slug)}`);
  }
  if (overstated.length > 0) {
    problems.push(`concurrent DELETEs of one slug each answered 200 "removed", more often than the slug was ever registered (${overstated.join(', ')}): the answers overstate the removals`);
  }
  const registered = slugs.filter((slug) => listed.has(slug));
  await supervisor.waitAllRunning(registered, 300_000);
  const listedPids = await supervisor.pids();
  for (const slug of slugs) {
    const workers = await supervisor.workerPidsOf(slug);
    const want = listed.has(slug) ? [listedPids[slug]] : [];
    if (JSON.stringify(workers) !== JSON.stringify(want)) problems.push(`${slug}: worker processes ${JSON.stringify(workers)}, expected ${JSON.stringify(want)}`);
  }
  const moved = Object.entries(loadPids).filter(([slug, pid]) => listedPids[slug] !== pid);
  if (moved.length > 0) problems.push(`load repos changed pids during the race: ${moved.map(([slug]) => slug).join(', ')}`);
  const summary = `${count(201)} × 201, ${count(409)} × 409, ${count(200)} × 200, ${count(404)} × 404; ${registered.length} slugs registered`;
  if (problems.length === 0) {
    tally.load.raceConsistent = true;
    tally.progress(`race: ${summary}; listed = stored = answers, one worker each, none for the ${RACE_SLUGS - registered.length} others`);
  } else {
    tally.progress(`race: ${summary}`);
    tally.broken('racing adds and deletes: registry = answers = processes', new Error(problems.join(' | ')));
  }
}
