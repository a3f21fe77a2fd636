// A supervisor with one repo from repos.yaml and one added over the API, both running, and a Guard on them.
import { join } from 'node:path';
import { createGitRepo } from './git-repos.mjs';
import { Guard } from './guard.mjs';
import { supervisorYaml, writeConfig } from './supervisor.mjs';
import { check } from './wait.mjs';

/** Starts the fixture for a hostile-input group; `overrides` go into the supervisor section. */
export async function guardedSupervisor(ctx, name, overrides = {}) {
  const folder = await ctx.folder(name);
  const configRepo = await createGitRepo(join(folder, 'alpha'), { origin: 'https://github.com/acme/alpha.git' });
  const apiRepo = await createGitRepo(join(folder, 'beta'));
  const home = join(folder, 'home');
  const file = await writeConfig(folder, supervisorYaml(home, overrides, [{ path: configRepo, slug: 'acme/alpha' }]));
  const supervisor = await ctx.supervisor(file, home);
  const added = await supervisor.api('POST', '/api/repos', { path: apiRepo, slug: 'acme/beta' });
  check(added.status === 201, `POST /api/repos answered ${added.status}: ${added.text}`);
  await supervisor.waitAllRunning(['acme/alpha', 'acme/beta']);
  await supervisor.waitForRepo('acme/beta', 'probed', (repo) => repo.last_probe?.ok === true);
  const guard = await Guard.of(ctx.tally, supervisor);
  ctx.tally.progress(`supervisor ${supervisor.pid}: acme/alpha (repos.yaml) and acme/beta (API) running; every input below must leave both, with their pids`);
  return { folder, home, file, supervisor, guard, configRepo, apiRepo };
}
