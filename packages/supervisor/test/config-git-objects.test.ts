import { afterEach, describe, expect, it } from '@jest/globals';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { hasObject, readRef } from '../src/config/git-objects.js';
import { commitFile, createGitRepo, git } from '../../../tests/helpers/git-repo.js';
import { TempDirs } from '../../../tests/helpers/temp-dir.js';

const temp = new TempDirs();
afterEach(() => temp.cleanup());

describe('reading refs and objects as git stores them', () => {
  it('finds every object of a packed repository in its pack index, and no other id', async () => {
    const repo = await createGitRepo(join(await temp.make(), 'packed'), { commits: 5 });
    await git(repo, 'gc', '-q');
    // One more commit stays loose, beside the pack.
    const loose = await commitFile(repo, 'late.txt', 'late\n');
    const gitDir = join(repo, '.git');
    const ids = (await git(repo, 'rev-list', '--all', '--objects')).split('\n').map((line) => line.split(' ')[0] ?? '');
    expect(ids.length).toBeGreaterThan(10);
    for (const id of ids) expect({ id, found: await hasObject(gitDir, id) }).toEqual({ id, found: true });
    const absent = ['0'.repeat(40), 'f'.repeat(40), `${ids[0]?.slice(0, 39) ?? ''}${ids[0]?.endsWith('0') === true ? '1' : '0'}`];
    for (const id of absent) expect({ id, found: await hasObject(gitDir, id) }).toEqual({ id, found: false });
    expect(await readRef(gitDir, 'refs/heads/main')).toEqual({ kind: 'id', id: loose });
  });

  it('reads a ref from packed-refs when it has no loose file, and tells an unborn branch', async () => {
    const repo = await createGitRepo(join(await temp.make(), 'refs'), { commits: 1 });
    const head = await git(repo, 'rev-parse', 'HEAD');
    await git(repo, 'pack-refs', '--all');
    const gitDir = join(repo, '.git');
    await expect(rm(join(gitDir, 'refs', 'heads', 'main'))).rejects.toMatchObject({ code: 'ENOENT' });
    expect(await readRef(gitDir, 'refs/heads/main')).toEqual({ kind: 'id', id: head });
    expect(await readRef(gitDir, 'refs/heads/not-born')).toEqual({ kind: 'unborn' });
    await writeFile(join(gitDir, 'refs', 'heads', 'odd'), 'not an id\n');
    expect(await readRef(gitDir, 'refs/heads/odd')).toEqual({ kind: 'unknown' });
  });
});
