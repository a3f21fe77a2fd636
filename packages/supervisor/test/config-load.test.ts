import { afterEach, describe, expect, it } from '@jest/globals';
import { mkdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { defaultSettings } from '../src/config/config-schema.js';
import { ConfigError, loadConfig } from '../src/config/load-config.js';
import { createGitRepo } from '../../../tests/helpers/git-repo.js';
import { TempDirs } from '../../../tests/helpers/temp-dir.js';

const temp = new TempDirs();
afterEach(() => temp.cleanup());

async function configIn(folder: string, text: string): Promise<string> {
  const file = join(folder, 'repos.yaml');
  await writeFile(file, text);
  return file;
}

async function problemsOf(file: string, env: NodeJS.ProcessEnv = {}): Promise<string[]> {
  const error = await loadConfig(file, env).then(
    () => undefined,
    (failure: unknown) => failure,
  );
  expect(error).toBeInstanceOf(ConfigError);
  return (error as ConfigError).problems;
}

describe('loadConfig', () => {
  it('normalises a full file to camelCase settings and resolves repos against the file', async () => {
    const folder = await temp.make();
    const alpha = await createGitRepo(join(folder, 'repos', 'alpha'));
    const file = await configIn(
      folder,
      [
        'supervisor:',
        '  home: ./state-home',
        '  http: {host: 0.0.0.0, port: 9000, request_timeout_ms: 20000, headers_timeout_ms: 5000}',
        '  control: {port: 7000, legacy_clients: true, hello_timeout_ms: 3000}',
        '  health: {interval_ms: 1000, timeout_ms: 500, failure_threshold: 2, http_interval_ms: 0}',
        '  restart: {initial_delay_ms: 100, max_delay_ms: 1000, max_restarts: 3, window_ms: 5000, stable_after_ms: 2000}',
        '  start_timeout_ms: 4000',
        '  stop_timeout_ms: 3000',
        '  grace_ms: 10000',
        '  log_max_bytes: 2048',
        'repos:',
        '  - path: ./repos/alpha',
        '    slug: acme/alpha',
        '    autostart: false',
        '    env: {FOO: bar}',
      ].join('\n'),
    );
    const config = await loadConfig(file, {});
    expect(config.file).toBe(file);
    expect(config.settings).toEqual({
      home: join(folder, 'state-home'),
      http: { host: '0.0.0.0', port: 9000, requestTimeoutMs: 20000, headersTimeoutMs: 5000 },
      control: { host: '127.0.0.1', port: 7000, legacyClients: true, helloTimeoutMs: 3000 },
      health: { intervalMs: 1000, timeoutMs: 500, failureThreshold: 2, httpIntervalMs: 0 },
      restart: { initialDelayMs: 100, maxDelayMs: 1000, maxRestarts: 3, windowMs: 5000, stableAfterMs: 2000 },
      startTimeoutMs: 4000,
      stopTimeoutMs: 3000,
      graceMs: 10000,
      logMaxBytes: 2048,
    });
    expect(config.repos).toEqual([{ slug: 'acme/alpha', path: alpha, autostart: false, env: { FOO: 'bar' }, pipeline: null }]);
  });

  it('fills every default and puts the home beside the file when the file says nothing', async () => {
    const folder = await temp.make();
    const config = await loadConfig(await configIn(folder, ''), {});
    expect(config.settings).toEqual(defaultSettings(join(folder, '.repovisor')));
    expect(config.repos).toEqual([]);
  });

  it('accepts empty sections and derives slugs that were not given', async () => {
    const folder = await temp.make();
    await createGitRepo(join(folder, 'beta'), { origin: 'git@github.com:acme/beta.git' });
    await createGitRepo(join(folder, 'gamma'));
    const config = await loadConfig(await configIn(folder, 'supervisor:\nrepos:\n  - path: beta\n  - path: gamma\n    env:\n'), {});
    expect(config.repos.map((repo) => [repo.slug, repo.autostart, repo.env])).toEqual([
      ['acme/beta', true, {}],
      ['gamma', true, {}],
    ]);
  });

  it('lets REPOVISOR_HOME override the home from the file', async () => {
    const folder = await temp.make();
    const elsewhere = await temp.make();
    const config = await loadConfig(await configIn(folder, 'supervisor: {home: ./ignored}\n'), { REPOVISOR_HOME: elsewhere });
    expect(config.settings.home).toBe(elsewhere);
  });

  it('lists every problem of an invalid file by its path in the file', async () => {
    const folder = await temp.make();
    await createGitRepo(join(folder, 'alpha'));
    await createGitRepo(join(folder, 'beta'));
    const file = await configIn(
      folder,
      [
        'supervisor:',
        '  http: {port: 70000}',
        '  colour: blue',
        '  health: {interval_ms: 1}',
        'repos:',
        '  - path: ./alpha',
        '    env: {REPOVISOR_SLUG: x, COUNT: 3}',
        '  - path: ./missing',
        '  - path: ./beta',
        '    slug: "../evil"',
      ].join('\n'),
    );
    const problems = await problemsOf(file);
    const byPath = (prefix: string) => problems.filter((problem) => problem.startsWith(`${prefix}:`));
    expect(byPath('supervisor.http.port')).toEqual([expect.stringContaining('from 0 to 65535')]);
    expect(byPath('supervisor.colour')).toEqual([expect.stringContaining('unknown key')]);
    expect(byPath('supervisor.health.interval_ms')).toEqual([expect.stringContaining('from 10 to')]);
    expect(byPath('repos[0].env.REPOVISOR_SLUG')).toEqual([expect.stringContaining('reserved')]);
    expect(byPath('repos[0].env.COUNT')).toEqual([expect.stringContaining('must be a string')]);
    expect(byPath('repos[1].path')).toEqual([`repos[1].path: ${join(folder, 'missing')} does not exist`]);
    expect(byPath('repos[2].slug')).toEqual([expect.stringContaining('invalid slug')]);
    expect(problems).toHaveLength(7);
  });

  it('puts every problem in the error message, one per line', async () => {
    const folder = await temp.make();
    const file = await configIn(folder, 'repos:\n  - path: ./nowhere\n  - path: ./nowhere-else\n');
    await expect(loadConfig(file, {})).rejects.toThrow(
      `Invalid configuration ${file}:\n  - repos[0].path: ${join(folder, 'nowhere')} does not exist\n  - repos[1].path: ${join(folder, 'nowhere-else')} does not exist`,
    );
  });

  it('refuses folders that are not git repositories, files, and subfolders of a repository', async () => {
    const folder = await temp.make();
    await mkdir(join(folder, 'plain'));
    await writeFile(join(folder, 'file.txt'), 'x');
    const repo = await createGitRepo(join(folder, 'repo'));
    await mkdir(join(repo, 'sub'));
    const problems = await problemsOf(await configIn(folder, 'repos:\n  - path: plain\n  - path: file.txt\n  - path: repo/sub\n'));
    expect(problems).toEqual([
      `repos[0].path: ${join(folder, 'plain')} is not a git repository (no .git found)`,
      `repos[1].path: ${join(folder, 'file.txt')} is not a folder`,
      `repos[2].path: ${join(repo, 'sub')} is inside the git repository ${repo} but is not its top level; use ${repo} instead`,
    ]);
  });

  it('refuses the same folder listed twice under two spellings', async () => {
    const folder = await temp.make();
    const alpha = await createGitRepo(join(folder, 'alpha'));
    await symlink(alpha, join(folder, 'alpha-link'));
    const problems = await problemsOf(await configIn(folder, 'repos:\n  - path: alpha\n    slug: one\n  - path: ./alpha-link/\n    slug: two\n'));
    expect(problems).toEqual([`repos[1].path: ${alpha} is the same folder as repos[0].path; list each repository once`]);
  });

  it('refuses two repositories with one slug, given or derived', async () => {
    const folder = await temp.make();
    await createGitRepo(join(folder, 'a', 'app'));
    await createGitRepo(join(folder, 'b', 'app'));
    await createGitRepo(join(folder, 'c'));
    await createGitRepo(join(folder, 'd'));
    const problems = await problemsOf(
      await configIn(folder, 'repos:\n  - path: a/app\n  - path: b/app\n  - path: c\n    slug: acme/x\n  - path: d\n    slug: acme/x\n'),
    );
    expect(problems).toEqual([
      'repos[1]: the slug "app" derived from its origin remote or folder name is already used by repos[0]; give one of them a distinct "slug:"',
      'repos[3].slug: "acme/x" is already used by repos[2]; give one of them a distinct "slug:"',
    ]);
  });

  it('refuses slugs that would share a data folder', async () => {
    const folder = await temp.make();
    await createGitRepo(join(folder, 'c'));
    await createGitRepo(join(folder, 'd'));
    const problems = await problemsOf(await configIn(folder, 'repos:\n  - path: c\n    slug: a-b/c\n  - path: d\n    slug: a/b-c\n'));
    expect(problems).toEqual([expect.stringContaining('repos[1].slug: "a/b-c" collides with "a-b/c" of repos[0] (same data folder)')]);
  });

  it('reports malformed YAML with its line and column', async () => {
    const folder = await temp.make();
    const problems = await problemsOf(await configIn(folder, 'supervisor:\n  stop_timeout_ms: 1\n  stop_timeout_ms: 2\n'));
    expect(problems).toEqual([expect.stringMatching(/^\(yaml\): Map keys must be unique at line 3, column 3$/)]);
  });

  it('refuses an alias bomb', async () => {
    const folder = await temp.make();
    const lines = ['a: &a [x, x, x, x, x, x, x, x, x]'];
    for (const [name, previous] of [['b', 'a'], ['c', 'b'], ['d', 'c'], ['e', 'd'], ['f', 'e']] as const) {
      lines.push(`${name}: &${name} [${Array.from({ length: 9 }, () => `*${previous}`).join(', ')}]`);
    }
    const problems = await problemsOf(await configIn(folder, `${lines.join('\n')}\n`));
    expect(problems).toEqual([expect.stringContaining('alias bomb')]);
  });

  it('refuses a file over 1 MiB before parsing it', async () => {
    const folder = await temp.make();
    const problems = await problemsOf(await configIn(folder, `# ${'x'.repeat(1024 * 1024)}\n`));
    expect(problems).toEqual([expect.stringContaining('over the limit of 1048576 bytes')]);
  });

  it('says so when the file does not exist', async () => {
    const folder = await temp.make();
    const problems = await problemsOf(join(folder, 'repos.yaml'));
    expect(problems).toEqual([expect.stringContaining('(file): not found')]);
  });

  it('refuses a file whose top level is not a mapping', async () => {
    const folder = await temp.make();
    const problems = await problemsOf(await configIn(folder, '- path: x\n'));
    expect(problems).toEqual([expect.stringMatching(/^\(top level\): must be a mapping/)]);
  });
});
