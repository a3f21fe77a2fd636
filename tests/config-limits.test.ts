import { afterEach, describe, expect, it } from '@jest/globals';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { reposYaml, startWithRepos } from './helpers/claims-config.js';
import { createGitRepo } from './helpers/git-repo.js';
import { environOf } from './helpers/process-facts.js';
import { SupervisorRig } from './helpers/supervisor-rig.js';
import { TempDirs } from './helpers/temp-dir.js';

// Limits of repos.yaml keys that only a real `supervisor start` shows: what
// it refuses (exit 2) and what it accepts and hands to its workers
// (docs/CONFIGURATION.md).
const temp = new TempDirs();
const rig = new SupervisorRig();

afterEach(async () => {
  await rig.cleanup();
  await temp.cleanup();
});

describe('supervisor start refuses', () => {
  it('max_delay_ms below initial_delay_ms, a duration over 86400000 ms and invalid env names, each by its path', async () => {
    const root = await temp.make();
    const repo = await createGitRepo(join(root, 'alpha'));
    const section = { restart: { initial_delay_ms: 2000, max_delay_ms: 1000 }, stop_timeout_ms: 86_400_001 };
    const env = { '1ST': 'x', 'MY-VAR': 'y', 'OK_1': 'z' };
    const file = await rig.writeConfig(root, reposYaml(join(root, 'home'), section, [{ path: repo, slug: 'acme/alpha', env }]));
    const result = await rig.cli(['start', file, '--no-pretty']);
    expect(result.code).toBe(2);
    const problems = result.stderr.split('\n').filter((line) => line.startsWith('  - ')).sort();
    expect(problems).toEqual([
      '  - repos[0].env.1ST: is not a valid variable name (letters, digits and "_", not starting with a digit)',
      '  - repos[0].env.MY-VAR: is not a valid variable name (letters, digits and "_", not starting with a digit)',
      '  - supervisor.restart.max_delay_ms: must be at least initial_delay_ms (2000), got 1000',
      '  - supervisor.stop_timeout_ms: must be a whole number from 10 to 86400000 (milliseconds), got 86400001',
    ]);
  });
});

describe('supervisor start refuses, rather than failing to start,', () => {
  it('http.request_timeout_ms below http.headers_timeout_ms', async () => {
    const root = await temp.make();
    const file = await rig.writeConfig(root, reposYaml(join(root, 'home'), { http: { host: '127.0.0.1', port: 0, request_timeout_ms: 1000 } }, []));
    const result = await rig.cli(['start', file, '--no-pretty']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('  - supervisor.http.request_timeout_ms: must be at least headers_timeout_ms (10000), got 1000');
  });
});

describe('supervisor start accepts', () => {
  it('durations of 86400000 ms, hands a repo its env, and tells workers to dial 127.0.0.1 when control.host is 0.0.0.0', async () => {
    const root = await temp.make();
    const section = {
      control: { host: '0.0.0.0', port: 0 },
      health: { interval_ms: 86_400_000, timeout_ms: 10_000, failure_threshold: 3 },
      restart: { initial_delay_ms: 50, max_delay_ms: 86_400_000, max_restarts: 5, window_ms: 86_400_000, stable_after_ms: 86_400_000 },
      start_timeout_ms: 86_400_000,
    };
    const env = { _Greeting: 'hello from repos.yaml', lower_case9: 'quoted "value"' };
    const supervisor = await startWithRepos(rig, root, section, [{ slug: 'acme/alpha', env }, { slug: 'acme/beta' }]);
    const alpha = await rig.waitForRepo(supervisor, 'acme/alpha', 'running', (repo) => repo.status === 'running');
    const beta = await rig.waitForRepo(supervisor, 'acme/beta', 'running', (repo) => repo.status === 'running');
    const controlPort = (await readFile(join(supervisor.home, 'supervisor-port'), 'utf8')).trim();
    const alphaEnv = await environOf(alpha.pid ?? 0);
    expect(alphaEnv).toMatchObject({ _Greeting: 'hello from repos.yaml', lower_case9: 'quoted "value"', REPOVISOR_CONTROL: `127.0.0.1:${controlPort}` });
    const betaEnv = await environOf(beta.pid ?? 0);
    expect(betaEnv._Greeting).toBeUndefined();
    expect(betaEnv.REPOVISOR_CONTROL).toBe(`127.0.0.1:${controlPort}`);
  });
});
