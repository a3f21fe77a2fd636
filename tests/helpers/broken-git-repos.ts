import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createGitRepo, git } from './git-repo.js';

/** A folder that looks like a git repository but is not a usable one, and the reason the supervisor gives. */
export interface BrokenRepo {
  path: string;
  /** What the refusal says is wrong (a fragment of the message). */
  reason: string;
}

/**
 * Makes, under `folder`, the folders a hostile run found accepted as
 * repositories: an empty `.git/HEAD`, a garbage HEAD, a `.git` file pointing at
 * a missing gitdir, and a repository whose objects were removed.
 */
export async function makeBrokenRepos(folder: string): Promise<Record<'emptyHead' | 'garbageHead' | 'danglingGitdir' | 'missingObjects', BrokenRepo>> {
  const emptyHead = await createGitRepo(join(folder, 'empty-head'));
  await writeFile(join(emptyHead, '.git', 'HEAD'), '');
  const garbageHead = await createGitRepo(join(folder, 'garbage-head'));
  await writeFile(join(garbageHead, '.git', 'HEAD'), 'not a ref at all\n');
  const danglingGitdir = join(folder, 'dangling-gitdir');
  await mkdir(danglingGitdir);
  await writeFile(join(danglingGitdir, '.git'), `gitdir: ${join(folder, 'gone', '.git', 'worktrees', 'dangling')}\n`);
  const missingObjects = await createGitRepo(join(folder, 'missing-objects'));
  const head = await git(missingObjects, 'rev-parse', 'HEAD');
  const objects = join(missingObjects, '.git', 'objects');
  for (const entry of await readdir(objects)) if (/^[0-9a-f]{2}$/.test(entry)) await rm(join(objects, entry), { recursive: true });
  return {
    emptyHead: { path: emptyHead, reason: `${join(emptyHead, '.git', 'HEAD')} is empty` },
    garbageHead: { path: garbageHead, reason: `${join(garbageHead, '.git', 'HEAD')} holds neither a ref nor a commit id` },
    danglingGitdir: { path: danglingGitdir, reason: `its .git file points at ${join(folder, 'gone', '.git', 'worktrees', 'dangling')}, which does not exist` },
    missingObjects: { path: missingObjects, reason: `HEAD (refs/heads/main) names the commit ${head} that is missing from its objects` },
  };
}
