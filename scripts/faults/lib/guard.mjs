// "Nothing stored lost and the workers keep their pids": checked after each bad input.
import { isAlive } from './processes.mjs';
import { check } from './wait.mjs';

/**
 * Remembers a supervisor's registry and worker pids, and wraps bad inputs so that
 * each one counts as handled only when, besides its own documented error, every
 * registered repo is still listed and stored and every worker kept its pid.
 */
export class Guard {
  constructor(tally, supervisor, expected) {
    Object.assign(this, { tally, supervisor, expected });
  }

  /** Takes the current registry and pids of `supervisor` as what must stay. */
  static async of(tally, supervisor) {
    const repos = await supervisor.repos();
    check(repos.every((repo) => repo.status === 'running' && repo.pid !== null), 'every repo must be running before the bad inputs start');
    return new Guard(tally, supervisor, Object.fromEntries(repos.map((repo) => [repo.slug, repo.pid])));
  }

  /** Runs a bad input through the tally, then checks the registry and the pids. */
  badInput(name, run) {
    return this.tally.badInput(name, async () => {
      const detail = await run();
      await this.verify(name);
      return detail;
    });
  }

  /** Throws (and records lost repos) unless the supervisor runs, every slug is listed and stored, and every pid is unchanged. */
  async verify(where) {
    check(this.supervisor.alive(), 'the supervisor is no longer running');
    const listed = new Map((await this.supervisor.repos()).map((repo) => [repo.slug, repo]));
    const stored = new Set(await this.supervisor.storedSlugs());
    const lost = Object.keys(this.expected).filter((slug) => !listed.has(slug) || !stored.has(slug));
    if (lost.length > 0) {
      this.tally.lost(where, lost);
      throw new Error(`registered repos lost: ${lost.join(', ')}`);
    }
    const moved = Object.entries(this.expected).filter(([slug, pid]) => listed.get(slug).pid !== pid || !isAlive(pid));
    check(moved.length === 0, `workers lost their pids: ${moved.map(([slug, pid]) => `${slug} was ${pid}, now ${listed.get(slug).pid} (${listed.get(slug).status})`).join('; ')}`);
  }
}
