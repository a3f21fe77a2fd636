import { readFile, stat } from 'node:fs/promises';
import type { Stats } from 'node:fs';
import { join, resolve } from 'node:path';

/**
 * What an in-process look at a folder's `.git` found: `sound` when git would
 * plainly open it as a repository whose HEAD resolves (or is a branch not yet
 * born), so no `git` process is needed; otherwise git must judge, and `hint`
 * says what looked wrong, for the error message.
 */
export type GitMarker = { kind: 'sound' } | { kind: 'unsure'; hint?: string };

const OBJECT_ID = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/;
const UNSURE: GitMarker = { kind: 'unsure' };

/**
 * Reads `<folder>/.git` the way git does, as far as it is cheap: a `.git`
 * folder or a `gitdir:` file whose folder exists, a `HEAD` that is a ref or an
 * object id, `objects/` and `refs/` in the common folder, and HEAD's commit
 * among the loose objects (or its branch not born yet). Checked in-process
 * because a `git` per repository costs a process each before the first worker
 * can start; packed refs or objects, another owner, anything unusual: `unsure`.
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
  if (await exists(join(commonDir, 'reftable'))) return UNSURE;

  let id = ref === undefined ? headLine : undefined;
  if (ref !== undefined) {
    const loose = (await readText(join(commonDir, ref)))?.trim();
    if (loose !== undefined && OBJECT_ID.test(loose)) id = loose;
    else if (loose !== undefined || (await exists(join(commonDir, 'packed-refs')))) return UNSURE;
    // No such branch, loose or packed: a branch not born yet, as after `git init`.
    else return { kind: 'sound' };
  }
  if (id === undefined) return UNSURE;
  return (await exists(join(commonDir, 'objects', id.slice(0, 2), id.slice(2)))) ? { kind: 'sound' } : UNSURE;
}

/** The file's text, or undefined when there is no such file; other errors are thrown. */
async function readText(file: string): Promise<string | undefined> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    if (isMissing(error)) return undefined;
    throw error;
  }
}

function isMissing(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException).code;
  return code === 'ENOENT' || code === 'ENOTDIR' || code === 'EISDIR';
}

async function isFolder(path: string): Promise<boolean> {
  return (await statOrMissing(path))?.isDirectory() === true;
}

async function exists(path: string): Promise<boolean> {
  return (await statOrMissing(path)) !== undefined;
}

async function statOrMissing(path: string): Promise<Stats | undefined> {
  try {
    return await stat(path);
  } catch (error) {
    if (isMissing(error)) return undefined;
    throw error;
  }
}
