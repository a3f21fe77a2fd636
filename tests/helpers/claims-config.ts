import { join } from 'node:path';
import { createGitRepo } from './git-repo.js';
import type { SupervisorRig, RunningTestSupervisor } from './supervisor-rig.js';

/** One `repos:` entry of a test's repos.yaml. */
export interface TestRepoEntry {
  path: string;
  slug: string;
  autostart?: boolean;
  env?: Record<string, string>;
  /** The repo's own `pipeline:` section. */
  pipeline?: Record<string, unknown>;
}

/** A `supervisor:` section as a plain object; each section given replaces the quiet one whole. */
export type SupervisorSection = Record<string, unknown>;

/**
 * Settings for tests that assert no restart: the first probe comes a minute
 * after hello and may take 10 s, so a slow machine cannot trip it; restarts
 * are quick; ports are ephemeral.
 */
function quietSupervisorSection(home: string): SupervisorSection {
  return {
    home,
    http: { host: '127.0.0.1', port: 0 },
    health: { interval_ms: 60_000, timeout_ms: 10_000, failure_threshold: 3 },
    restart: { initial_delay_ms: 50, max_delay_ms: 500, max_restarts: 5, window_ms: 60_000, stable_after_ms: 10_000 },
    start_timeout_ms: 30_000,
    stop_timeout_ms: 5000,
    grace_ms: 5000,
  };
}

/** A repos.yaml text (JSON is YAML) for `section` over {@link quietSupervisorSection} and `repos`. */
export function reposYaml(home: string, section: SupervisorSection, repos: TestRepoEntry[]): string {
  return `supervisor: ${JSON.stringify({ ...quietSupervisorSection(home), ...section })}\nrepos: ${JSON.stringify(repos)}\n`;
}

/** NODE_OPTIONS that preload `fixture` (a path) into a worker, for a repo's `env`. */
export function preload(fixture: string): string {
  return `--require ${JSON.stringify(fixture)}`;
}

/**
 * Starts a supervisor under `root` (home `root/home`) with `section` and one
 * new git repository per slug, each at `root/<slug with - for />`.
 */
export async function startWithRepos(
  rig: SupervisorRig,
  root: string,
  section: SupervisorSection,
  repos: Omit<TestRepoEntry, 'path'>[],
): Promise<RunningTestSupervisor & { paths: string[] }> {
  const home = join(root, 'home');
  const paths = await Promise.all(repos.map((repo) => createGitRepo(join(root, repo.slug.replace('/', '-')))));
  const file = await rig.writeConfig(root, reposYaml(home, section, repos.map((repo, index) => ({ ...repo, path: paths[index] ?? '' }))));
  return { ...(await rig.start(file, home)), paths };
}
