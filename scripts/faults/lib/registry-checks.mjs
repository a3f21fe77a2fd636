// Checks of a supervisor's registry against its processes, shared by the crash and corruption scenarios.
import { check } from './wait.mjs';

/** Throws unless each slug has exactly one live worker process and it is the one listed. */
export async function onePerSlug(supervisor, slugs) {
  const listed = await supervisor.pids();
  for (const slug of slugs) {
    const workers = await supervisor.workerPidsOf(slug);
    const unlisted = workers.filter((pid) => pid !== listed[slug]);
    check(
      workers.length === 1 && workers[0] === listed[slug],
      unlisted.length > 0 && workers.includes(listed[slug])
        ? `two workers for one slug: ${slug} has the listed worker ${listed[slug]} and also ${unlisted.join(', ')}, which the supervisor does not know (not re-adopted, not stopped)`
        : `${slug}: expected one worker (pid ${listed[slug]}), found ${workers.length}: ${workers.join(', ') || 'none'}`,
    );
  }
}

/** Throws (recording lost repos in the tally) unless every one of `slugs` is listed, stored, running, with one worker each. */
export async function registryHolds(tally, supervisor, slugs, where, { single = true } = {}) {
  const listed = new Set((await supervisor.repos()).map((repo) => repo.slug));
  const stored = new Set(await supervisor.storedSlugs());
  const lost = slugs.filter((slug) => !listed.has(slug) || !stored.has(slug));
  if (lost.length > 0) {
    tally.lost(where, lost);
    throw new Error(`registered repos lost: ${lost.join(', ')}`);
  }
  await supervisor.waitAllRunning(slugs);
  if (single) await onePerSlug(supervisor, slugs);
}
