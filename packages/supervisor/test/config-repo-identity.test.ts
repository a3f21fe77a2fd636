import { afterEach, describe, expect, it } from '@jest/globals';
import { mkdir, realpath, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { slugProblem } from '@repovisor/protocol';
import { deriveSlug, inspectRepoPath, slugFromFolderName, slugFromRemoteUrl } from '../src/config/repo-identity.js';
import { makeBrokenRepos } from '../../../tests/helpers/broken-git-repos.js';
import { createGitRepo, git } from '../../../tests/helpers/git-repo.js';
import { TempDirs } from '../../../tests/helpers/temp-dir.js';

const temp = new TempDirs();
afterEach(() => temp.cleanup());

describe('inspectRepoPath', () => {
  it('accepts the top level of a repository and resolves its real path', async () => {
    const folder = await temp.make();
    const repo = await createGitRepo(join(folder, 'alpha'));
    expect(await inspectRepoPath(join(folder, 'alpha', '..', 'alpha'))).toEqual({ ok: true, path: repo });
  });

  it('refuses a subfolder of a repository, naming the top level to use', async () => {
    const folder = await temp.make();
    const repo = await createGitRepo(join(folder, 'alpha'));
    await mkdir(join(repo, 'src'));
    const result = await inspectRepoPath(join(repo, 'src'));
    expect(result).toEqual({
      ok: false,
      reason: 'not_a_git_repository',
      message: `${join(repo, 'src')} is inside the git repository ${repo} but is not its top level; use ${repo} instead`,
    });
  });

  it('accepts a linked worktree, whose .git is a file', async () => {
    const folder = await temp.make();
    const repo = await createGitRepo(join(folder, 'alpha'));
    const linked = join(folder, 'alpha-linked');
    await git(repo, 'worktree', 'add', '-q', '-b', 'side', linked);
    expect(await inspectRepoPath(linked)).toEqual({ ok: true, path: await realpath(linked) });
  });

  it('leaves a .git folder without HEAD to git, which refuses it', async () => {
    const folder = await temp.make();
    await mkdir(join(folder, 'hollow', '.git'), { recursive: true });
    expect(await inspectRepoPath(join(folder, 'hollow'))).toMatchObject({ ok: false, reason: 'not_a_git_repository' });
  });

  it.each(['emptyHead', 'garbageHead', 'danglingGitdir', 'missingObjects'] as const)('refuses a folder whose .git is broken: %s', async (kind) => {
    const broken = (await makeBrokenRepos(await realpath(await temp.make())))[kind];
    expect(await inspectRepoPath(broken.path)).toEqual({
      ok: false,
      reason: 'not_a_git_repository',
      message: `${broken.path} is not a usable git repository: ${broken.reason}; repair it or clone it again`,
    });
  });

  it('accepts a fresh git init with no commit, and a repository whose refs and objects are packed', async () => {
    const folder = await realpath(await temp.make());
    const fresh = await createGitRepo(join(folder, 'fresh'), { commits: 0 });
    const packed = await createGitRepo(join(folder, 'packed'), { commits: 2 });
    await git(packed, 'gc', '-q');
    expect(await inspectRepoPath(fresh)).toEqual({ ok: true, path: fresh });
    expect(await inspectRepoPath(packed)).toEqual({ ok: true, path: packed });
  });

  it('tells a missing path, a file and a plain folder apart', async () => {
    const folder = await temp.make();
    await writeFile(join(folder, 'file'), '');
    await mkdir(join(folder, 'plain'));
    expect(await inspectRepoPath(join(folder, 'missing'))).toMatchObject({ ok: false, reason: 'not_found' });
    expect(await inspectRepoPath(join(folder, 'file'))).toMatchObject({ ok: false, reason: 'not_a_folder' });
    expect(await inspectRepoPath(join(folder, 'plain'))).toEqual({
      ok: false,
      reason: 'not_a_git_repository',
      message: `${join(folder, 'plain')} is not a git repository (no .git found)`,
    });
  });
});

describe('deriveSlug', () => {
  it.each([
    ['https://github.com/acme/alpha.git', 'acme/alpha'],
    ['http://git.example.com:8080/acme/alpha', 'acme/alpha'],
    ['git@github.com:acme/beta.git', 'acme/beta'],
    ['ssh://git@git.example.com:22/acme/beta.git', 'acme/beta'],
    ['https://gitlab.com/group/sub/repo/', 'sub/repo'],
  ])('takes owner/repo from an origin of %s', async (origin, slug) => {
    const folder = await temp.make();
    const repo = await createGitRepo(join(folder, 'checkout'), { origin });
    expect(await deriveSlug(repo)).toEqual({ ok: true, slug });
  });

  it('falls back to the folder name, made valid, without an origin', async () => {
    const folder = await temp.make();
    const repo = await createGitRepo(join(folder, '.my repo!'));
    expect(await deriveSlug(repo)).toEqual({ ok: true, slug: 'my-repo-' });
  });

  it('falls back to the folder name for a local origin', async () => {
    const folder = await temp.make();
    const repo = await createGitRepo(join(folder, 'gamma'), { origin: join(folder, 'upstream.git') });
    expect(await deriveSlug(repo)).toEqual({ ok: true, slug: 'gamma' });
  });
});

describe('slug helpers', () => {
  it.each([
    ['https://github.com/acme/alpha', 'acme/alpha'],
    ['https://user:secret@github.com/acme/alpha.git/', 'acme/alpha'],
    ['git://example.com/acme/alpha.git', 'acme/alpha'],
    ['github.com:acme/beta', 'acme/beta'],
    ['https://example.com/acme%20corp/my%20repo.git', 'acme-corp/my-repo'],
    ['https://example.com/only-one', undefined],
    ['file:///srv/git/acme/alpha.git', undefined],
    ['/srv/git/acme/alpha.git', undefined],
    ['../relative/alpha', undefined],
  ])('reads %s as %s', (url, slug) => {
    expect(slugFromRemoteUrl(url)).toBe(slug);
  });

  it.each([
    ['alpha', 'alpha'],
    ['..hidden', 'hidden'],
    ['a..b c', 'a.b-c'],
    ['...', 'repo'],
    ['-dash', 'dash'],
  ])('makes folder name %s the slug %s', (name, slug) => {
    expect(slugFromFolderName(name)).toBe(slug);
    expect(slugProblem(slug)).toBeUndefined();
  });
});
