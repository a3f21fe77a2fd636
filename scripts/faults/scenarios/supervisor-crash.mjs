// Supervisor crash: SIGKILL it mid-run and start it again on the same home; re-adoption, and its refusal.
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { createGitRepos } from '../lib/git-repos.mjs';
import { onePerSlug } from '../lib/registry-checks.mjs';
import { isAlive } from '../lib/processes.mjs';
import { supervisorYaml, writeConfig } from '../lib/supervisor.mjs';
import { check, sleep } from '../lib/wait.mjs';

export const title = 'supervisor crash: SIGKILL, re-adoption within the grace';

const GRACE_MS = 20_000;

/** `{slug: {pid, session}}`, the sessions read through the runtimes proxy. */
async function identities(supervisor) {
  const result = {};
  for (const repo of await supervisor.repos()) {
    const answer = await supervisor.api('GET', `/api/repos/${repo.slug}/runtimes`);
    check(answer.status === 200, `GET /api/repos/${repo.slug}/runtimes answered ${answer.status}`);
    result[repo.slug] = { pid: repo.pid, session: answer.body.runtimes?.[0]?.session_id ?? null };
  }
  return result;
}

/** Runs the supervisor crash scenarios under `ctx`. */
export async function run(ctx) {
  const { tally, options } = ctx;
  const folder = await ctx.folder('supervisor-crash');
  const paths = await createGitRepos(folder, 'r', 5);
  const slugs = paths.map((_, index) => `crash/r-${index}`);
  const home = join(folder, 'home');
  const file = await writeConfig(folder, supervisorYaml(home, { grace_ms: GRACE_MS }, paths.map((path, index) => ({ path, slug: slugs[index] }))));
  let supervisor = await ctx.supervisor(file, home, GRACE_MS);
  await supervisor.waitAllRunning(slugs);
  const controlPort = async () => Number(await readFile(join(home, 'supervisor-port'), 'utf8'));

  for (let round = 0; round < options.supervisorKills; round += 1) {
    await tally.fault(`SIGKILL the supervisor mid-run, start it again within the grace (${round + 1}/${options.supervisorKills})`, async () => {
      const before = await identities(supervisor);
      const port = await controlPort();
      await supervisor.kill();
      for (const [slug, { pid }] of Object.entries(before)) check(isAlive(pid), `${slug}'s worker ${pid} died with the supervisor`);
      supervisor = await ctx.supervisor(file, home, GRACE_MS);
      await supervisor.waitAllRunning(slugs);
      const after = await identities(supervisor);
      for (const slug of slugs) {
        check(after[slug].pid === before[slug].pid, `${slug} not re-adopted: pid ${before[slug].pid} became ${after[slug].pid}`);
        check(after[slug].session === before[slug].session, `${slug}'s runtime session changed: ${before[slug].session} became ${after[slug].session}`);
      }
      check((await controlPort()) === port, 'the control port changed');
      check(supervisor.child.stdout().includes('adopting the live worker of an earlier supervisor'), 'no "adopting" line in the log');
      await onePerSlug(supervisor, slugs);
      return `${slugs.length} workers re-adopted: same pids, same session ids, control port ${port}`;
    });
  }

  await tally.fault('SIGSTOP the supervisor for 5 s, then SIGCONT', async () => {
    const before = await supervisor.pids();
    process.kill(supervisor.pid, 'SIGSTOP');
    await sleep(5000);
    process.kill(supervisor.pid, 'SIGCONT');
    await supervisor.waitAllRunning(slugs);
    await sleep(2000);
    const after = await supervisor.pids();
    for (const slug of slugs) check(after[slug] === before[slug], `${slug}: pid ${before[slug]} became ${after[slug]}`);
    await onePerSlug(supervisor, slugs);
    return 'every worker kept its pid';
  });

  await tally.fault('SIGKILL a worker, then at once the supervisor (a restart pending), start it again', async () => {
    const before = await supervisor.pids();
    const victim = slugs[Math.floor(Math.random() * slugs.length)];
    process.kill(before[victim], 'SIGKILL');
    await supervisor.kill();
    supervisor = await ctx.supervisor(file, home, GRACE_MS);
    await supervisor.waitAllRunning(slugs);
    const after = await supervisor.pids();
    for (const slug of slugs.filter((slug) => slug !== victim)) check(after[slug] === before[slug], `${slug} not re-adopted: ${before[slug]} became ${after[slug]}`);
    check(after[victim] !== before[victim] && !isAlive(before[victim]), `${victim} was not replaced`);
    await onePerSlug(supervisor, slugs);
    return `${victim} replaced (${before[victim]} → ${after[victim]}), the other ${slugs.length - 1} re-adopted`;
  });

  await tally.fault('SIGKILL the supervisor while its control port is taken by another process: old workers stopped, new ones started', async () => {
    const before = await supervisor.pids();
    const port = await controlPort();
    await supervisor.kill();
    const blocker = createServer((socket) => socket.destroy());
    await new Promise((resolve, reject) => {
      blocker.once('error', reject);
      blocker.listen(port, '127.0.0.1', resolve);
    });
    try {
      supervisor = await ctx.supervisor(file, home, GRACE_MS);
      await supervisor.waitAllRunning(slugs);
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
    const after = await supervisor.pids();
    for (const slug of slugs) {
      check(!isAlive(before[slug]), `${slug}'s old worker ${before[slug]} still runs`);
      check(after[slug] !== before[slug], `${slug} kept pid ${before[slug]}`);
    }
    check(supervisor.child.stdout().includes('cannot bind the previous control port again'), 'no warning about the control port in the log');
    await onePerSlug(supervisor, slugs);
    return `port ${port} taken: ${slugs.length} old workers stopped, ${slugs.length} new ones, one per slug`;
  });
}
