import { afterEach, describe, expect, it } from '@jest/globals';
import { mkdir, readFile, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { commitFile, createGitRepo } from './helpers/git-repo.js';
import { SupervisorRig, testSupervisorSection } from './helpers/supervisor-rig.js';
import type { ApiRepo, RunningTestSupervisor } from './helpers/supervisor-rig.js';
import { TempDirs } from './helpers/temp-dir.js';
import { waitFor } from './helpers/wait-for.js';

// A worker's runtime whose loop fails is not hidden behind a `running` worker with `ok`
// probes: GET /api/repos and `supervisor status` show why, and it recovers by itself.

const temp = new TempDirs();
const rig = new SupervisorRig();

afterEach(async () => {
  await rig.cleanup();
  await temp.cleanup();
});

/**
 * A supervisor of one repo, `acme/alpha`, with probes that a loaded machine cannot trip: the test
 * asserts that the worker stays the same process with passing probes while its runtime fails.
 */
async function startSupervisor(root: string, repoEnv = ''): Promise<RunningTestSupervisor & { repo: string }> {
  const repo = await createGitRepo(join(root, 'repo'));
  const home = join(root, 'home');
  const section = testSupervisorSection(home).replace(/^ {2}health: .*$/m, '  health: {interval_ms: 300, timeout_ms: 10000, failure_threshold: 20}');
  if (!section.includes('failure_threshold: 20')) throw new Error(`the rig's health line changed; update this test: ${section}`);
  const env = repoEnv === '' ? '' : `, env: ${repoEnv}`;
  const file = await rig.writeConfig(root, `${section}\nrepos:\n  - {path: ${JSON.stringify(repo)}, slug: acme/alpha${env}}\n`);
  return { ...(await rig.start(file, home)), repo };
}

type RepoWithRuntime = ApiRepo & { runtime: { running: boolean; session_id: string | null; last_error: string | null } | null };

async function repoEntry(supervisor: RunningTestSupervisor): Promise<RepoWithRuntime> {
  const { body } = await rig.api<RepoWithRuntime>(supervisor, 'GET', '/api/repos/acme/alpha');
  return body;
}

async function statusRow(supervisor: RunningTestSupervisor): Promise<string> {
  const result = await rig.cli(['status', '--home', supervisor.home]);
  expect(result.code).toBe(0);
  return result.stdout.split('\n').find((line) => line.startsWith('acme/alpha')) ?? '';
}

async function eventTypes(supervisor: RunningTestSupervisor): Promise<{ type: string; data: Record<string, unknown> }[]> {
  const text = await readFile(join(supervisor.home, 'repos', 'acme-alpha', 'events.jsonl'), 'utf8');
  return text
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as { type: string; data: Record<string, unknown> });
}

describe('a runtime whose loop fails, seen from the supervisor', () => {
  it('shows "repository folder missing" in GET /api/repos and supervisor status while the repo is moved away, and recovers once it is back', async () => {
    const supervisor = await startSupervisor(await temp.make());
    await rig.waitForRepo(supervisor, 'acme/alpha', 'running', (repo) => repo.status === 'running');
    await waitFor('repo.observed', async () => (await eventTypes(supervisor)).some((event) => event.type === 'repo.observed'));
    await rename(supervisor.repo, `${supervisor.repo}-moved`);
    const expected = `repo-watcher failed: repository folder missing: ${supervisor.repo} (moved or deleted?); put it back, or remove this repo`;
    const failing = await waitFor('the runtime error in the entry', async () => {
      const entry = await repoEntry(supervisor);
      return entry.runtime?.last_error === expected ? entry : undefined;
    });
    // The worker is fine and keeps its runtime: the loop is retried.
    expect(failing).toMatchObject({ status: 'running', runtime: { running: true }, last_error: null });
    expect(failing.last_probe?.ok).toBe(true);
    expect(await statusRow(supervisor)).toMatch(new RegExp(`\\s+ok \\S+ms\\s+runtime: ${expected.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`));
    const pid = failing.pid;

    await rename(`${supervisor.repo}-moved`, supervisor.repo);
    const recovered = await waitFor('the runtime error to clear', async () => {
      const entry = await repoEntry(supervisor);
      return entry.runtime?.last_error === null ? entry : undefined;
    });
    expect(recovered).toMatchObject({ status: 'running', pid, runtime: { running: true, session_id: failing.runtime?.session_id } });
    expect(await statusRow(supervisor)).not.toContain('runtime:');
    const head = await commitFile(supervisor.repo, 'after.txt', 'back\n');
    await waitFor('repo.changed after the recovery', async () => (await eventTypes(supervisor)).some((event) => event.type === 'repo.changed' && event.data.head === head));
  });

  it('says git is not on PATH when the worker\'s PATH has no git', async () => {
    const root = await temp.make();
    const emptyBin = join(root, 'empty-bin');
    await mkdir(emptyBin);
    const supervisor = await startSupervisor(root, `{PATH: ${JSON.stringify(emptyBin)}}`);
    const expected = `repo-watcher failed: git is not on PATH (PATH=${emptyBin}); install git, or give the worker a PATH that has it`;
    const entry = await waitFor('the runtime error in the entry', async () => {
      const found = await repoEntry(supervisor);
      return found.runtime?.last_error === expected ? found : undefined;
    });
    expect(entry.status).toBe('running');
    expect(await statusRow(supervisor)).toContain(`runtime: ${expected}`);
  });
});
