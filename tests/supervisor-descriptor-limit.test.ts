import { afterEach, describe, expect, it } from '@jest/globals';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createGitRepo } from './helpers/git-repo.js';
import { SUPERVISOR_MAIN } from './helpers/paths.js';
import { SupervisorRig, testSupervisorSection, workerPidsUnder } from './helpers/supervisor-rig.js';
import type { ApiRepo } from './helpers/supervisor-rig.js';
import { TempDirs } from './helpers/temp-dir.js';
import { waitFor } from './helpers/wait-for.js';

// More repos than the open-file limit lets the supervisor run: it must say so at start,
// with the number it needs, keep its API answering, and never kill healthy workers.

const REPOS = 24;
const LIMIT = 64;
const temp = new TempDirs();
const rig = new SupervisorRig();

afterEach(async () => {
  await rig.cleanup();
  await temp.cleanup();
});

function withoutRepovisorVariables(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('REPOVISOR_')));
}

function logLines(stdout: string): { msg: string; [key: string]: unknown }[] {
  return stdout
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as { msg: string });
}

describe('a supervisor short of file descriptors', () => {
  it(`under ulimit -n ${LIMIT} with ${REPOS} repos warns with the limit it needs, answers its API, and kills no worker`, async () => {
    const root = await temp.make();
    const home = join(root, 'home');
    rig.track(home);
    const lines: string[] = [];
    for (let index = 0; index < REPOS; index += 1) lines.push(`  - {path: ${JSON.stringify(await createGitRepo(join(root, `repo-${index}`)))}, slug: acme/repo-${index}}`);
    const file = join(root, 'repos.yaml');
    // Probes that a slow machine cannot trip: a kill here can only come from the descriptor shortage.
    const section = testSupervisorSection(home)
      .replace('health: {interval_ms: 300, timeout_ms: 2000, failure_threshold: 2}', 'health: {interval_ms: 300, timeout_ms: 20000, failure_threshold: 3}')
      .replace('start_timeout_ms: 20000', 'start_timeout_ms: 120000');
    expect(section).toContain('timeout_ms: 20000, failure_threshold: 3');
    await writeFile(file, `${section}\nrepos:\n${lines.join('\n')}\n`);
    const child = rig.children.start('sh', ['-c', `ulimit -n ${LIMIT} && exec "$0" "$@"`, process.execPath, SUPERVISOR_MAIN, 'start', file, '--no-pretty', '--log-level', 'debug'], {
      env: withoutRepovisorVariables(),
    });
    const url = await waitFor('the supervisor to start', () => logLines(child.stdout()).find((line) => line.msg === 'supervisor started')?.http as string | undefined);
    const token = (await readFile(join(home, 'api-token'), 'utf8')).trim();

    const warning = logLines(child.stdout()).find((line) => typeof line.needed === 'number');
    expect(warning).toMatchObject({ openFileLimit: LIMIT, repos: REPOS });
    const needed = warning?.needed as number;
    expect(needed).toBeGreaterThan(LIMIT);
    expect(warning?.msg).toContain(`the open-file limit (${LIMIT}) is too low for ${REPOS} repos: the supervisor needs about ${needed}`);
    expect(warning?.msg).toContain(`ulimit -n ${needed}`);

    const repos = async (): Promise<ApiRepo[]> => {
      const response = await fetch(`${url}/api/repos`, { headers: { authorization: `Bearer ${token}` } });
      expect(response.status).toBe(200);
      return ((await response.json()) as { repos: ApiRepo[] }).repos;
    };
    // The workers that fit run and are probed; the others wait, stopped.
    await waitFor('the supervisor to hold the remaining launches back', () => logLines(child.stdout()).some((line) => line.msg.startsWith('file descriptors are short')));
    const running = await waitFor('the workers that fit to run, probed', async () => {
      const list = await repos();
      const up = list.filter((repo) => repo.status === 'running');
      return up.length > 0 && up.length + list.filter((repo) => repo.status === 'stopped').length === REPOS && up.every((repo) => repo.last_probe?.ok === true) ? up : undefined;
    });
    // Two more rounds of probes of every running worker, with the API asked many times at once meanwhile.
    for (let round = 0; round < 2; round += 1) {
      const before = new Map((await repos()).map((repo) => [repo.slug, repo.last_probe?.at]));
      const answers = await Promise.all(Array.from({ length: 8 }, () => fetch(`${url}/healthz`).then((response) => response.status)));
      expect(answers.every((status) => status === 200)).toBe(true);
      await waitFor('another probe of every running worker', async () =>
        (await repos()).filter((repo) => repo.status === 'running').every((repo) => repo.last_probe !== null && repo.last_probe.at !== before.get(repo.slug)),
      );
    }
    const after = await repos();
    expect(after.filter((repo) => repo.status === 'running').map((repo) => repo.pid)).toEqual(running.map((repo) => repo.pid));
    expect(after.map((repo) => repo.restarts)).toEqual(after.map(() => 0));
    expect(logLines(child.stdout()).filter((line) => /unhealthy|went down|could not launch/.test(line.msg))).toEqual([]);

    process.kill(child.pid, 'SIGTERM');
    expect(await child.exited).toEqual({ code: 0, signal: null });
    expect(await workerPidsUnder(home)).toEqual([]);
  });
});
