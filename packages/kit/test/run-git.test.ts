import { afterEach, describe, expect, it } from '@jest/globals';
import { join } from 'node:path';
import { createGitRepo, git } from '../../../tests/helpers/git-repo.js';
import { TempDirs } from '../../../tests/helpers/temp-dir.js';
import { GIT_LOCATION_VARIABLES, runGit } from '../src/run-git.js';

const temp = new TempDirs();
const saved = Object.fromEntries(GIT_LOCATION_VARIABLES.map((name) => [name, process.env[name]]));

afterEach(async () => {
  for (const [name, value] of Object.entries(saved)) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
  await temp.cleanup();
});

describe('runGit', () => {
  it("answers git's stdout without its last newline", async () => {
    const repo = await createGitRepo(join(await temp.make(), 'repo'));
    const result = await runGit(repo, ['rev-parse', 'HEAD']);
    expect(result).toEqual({ ok: true, stdout: await git(repo, 'rev-parse', 'HEAD') });
  });

  it('looks at the folder it is given even when GIT_DIR, GIT_WORK_TREE and GIT_INDEX_FILE name another repository', async () => {
    const root = await temp.make();
    const own = await createGitRepo(join(root, 'own'), { branch: 'main' });
    const other = await createGitRepo(join(root, 'other'), { branch: 'other' });
    process.env.GIT_DIR = join(other, '.git');
    process.env.GIT_WORK_TREE = other;
    process.env.GIT_INDEX_FILE = join(other, '.git', 'index');
    expect(await runGit(own, ['rev-parse', '--abbrev-ref', 'HEAD'])).toEqual({ ok: true, stdout: 'main' });
  });

  it("is a failure with git's first line of complaint when git exits non-zero", async () => {
    const folder = await temp.make();
    const result = await runGit(folder, ['rev-parse', 'HEAD'], { env: { GIT_CEILING_DIRECTORIES: folder } });
    expect(result).toMatchObject({ ok: false, reason: 'exit_non_zero', exitCode: 128 });
    expect(result.ok ? '' : result.message).toMatch(/^not a git repository/);
  });

  it('is an `aborted` failure, never a rejection, when its signal is aborted', async () => {
    const repo = await createGitRepo(join(await temp.make(), 'repo'));
    const controller = new AbortController();
    controller.abort();
    expect(await runGit(repo, ['status'], { signal: controller.signal })).toMatchObject({ ok: false, reason: 'aborted' });
  });

  it('is a `git_missing` failure that says how to fix it when git is not on PATH', async () => {
    const folder = await temp.make();
    const path = process.env.PATH;
    process.env.PATH = folder;
    try {
      const result = await runGit(folder, ['status']);
      expect(result).toMatchObject({ ok: false, reason: 'git_missing' });
      expect(result.ok ? '' : result.message).toMatch(/^git was not found on PATH; install git/);
    } finally {
      process.env.PATH = path;
    }
  });
});
