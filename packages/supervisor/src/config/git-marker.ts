import { join, resolve } from 'node:path';
import { hasObject, OBJECT_ID, readRef, readTextOrMissing as readText, statOrMissing } from './git-objects.js';

/**
 * What an in-process look at a folder's `.git` found: `sound` when git would
 * plainly open it as a repository whose HEAD resolves (or is a branch not yet
 * born), so no `git` process is needed; otherwise git must judge, and `hint`
 * says what looked wrong, for the error message.
 */
export type GitMarker = { kind: 'sound' } | { kind: 'unsure'; hint?: string };

const UNSURE: GitMarker = { kind: 'unsure' };

/**
 * Reads `<folder>/.git` the way git does, as far as it is cheap: a `.git`
 * folder or a `gitdir:` file whose folder exists, a `HEAD` that is a ref or an
 * object id, `objects/` and `refs/` in the common folder, and HEAD's commit
 * among the loose or packed objects (or its branch not born yet). Checked
 * in-process because a `git` per repository costs a process each before the
 * first worker can start; another owner, alternates, SHA-256, reftable,
 * anything unusual: `unsure`.
 */
export async function readGitMarker(folder: string): Promise<GitMarker> {
  try {
    return await readMarker(folder);
  } catch {
    // Not a verdict on the folder (out of file descriptors, no permission): git judges.
    return UNSURE;
  }
}

async function readMarker(folder: string): Promise<GitMarker> {
  const marker = join(folder, '.git');
  const info = await statOrMissing(marker);
  if (info === undefined) return UNSURE;
  // A `.git` of another user goes to git, which may refuse it ("dubious ownership") with its own message.
  if (typeof process.getuid === 'function' && info.uid !== process.getuid()) return UNSURE;
  let gitDir = marker;
  if (info.isFile()) {
    const text = await readText(marker);
    if (text === undefined || !text.startsWith('gitdir: ')) return { kind: 'unsure', hint: `its .git file does not start with "gitdir: "` };
    gitDir = resolve(folder, text.slice('gitdir: '.length).trim());
    if (!(await isFolder(gitDir))) return { kind: 'unsure', hint: `its .git file points at ${gitDir}, which does not exist` };
  } else if (!info.isDirectory()) {
    return UNSURE;
  }

  const head = await readText(join(gitDir, 'HEAD'));
  if (head === undefined) return { kind: 'unsure', hint: `${join(gitDir, 'HEAD')} is missing` };
  const headLine = head.trim();
  if (headLine === '') return { kind: 'unsure', hint: `${join(gitDir, 'HEAD')} is empty` };
  const ref = /^ref: (refs\/\S+)$/.exec(headLine)?.[1];
  if (ref === undefined && !OBJECT_ID.test(headLine)) {
    return { kind: 'unsure', hint: `${join(gitDir, 'HEAD')} holds neither a ref nor a commit id` };
  }

  const commondir = await readText(join(gitDir, 'commondir'));
  const commonDir = commondir === undefined ? gitDir : resolve(gitDir, commondir.trim());
  for (const needed of ['objects', 'refs']) {
    if (!(await isFolder(join(commonDir, needed)))) return { kind: 'unsure', hint: `${join(commonDir, needed)} is missing` };
  }
  // Another ref storage than files and packed-refs: git knows it, we do not.
  if ((await statOrMissing(join(commonDir, 'reftable'))) !== undefined) return UNSURE;

  let id = headLine;
  if (ref !== undefined) {
    const target = await readRef(commonDir, ref);
    // No such branch, loose or packed: a branch not born yet, as after `git init`.
    if (target.kind === 'unborn') return { kind: 'sound' };
    if (target.kind === 'unknown') return UNSURE;
    id = target.id;
  }
  // Not found in-process (or not to be told here): git says whether the commit is really missing.
  return (await hasObject(commonDir, id)) === true ? { kind: 'sound' } : UNSURE;
}

async function isFolder(path: string): Promise<boolean> {
  return (await statOrMissing(path))?.isDirectory() === true;
}
