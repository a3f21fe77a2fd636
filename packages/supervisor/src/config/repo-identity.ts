import { readFile, realpath, stat } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { slugKey, slugProblem } from '@repovisor/protocol';

const GIT_TIMEOUT_MS = 10_000;
const MAX_SEGMENT_LENGTH = 100;

// Variables that would make `git -C <path>` look at another repository than <path>.
const GIT_LOCATION_VARIABLES = ['GIT_DIR', 'GIT_WORK_TREE', 'GIT_COMMON_DIR', 'GIT_INDEX_FILE', 'GIT_OBJECT_DIRECTORY', 'GIT_PREFIX'];

/** Why a folder cannot be managed as a repository. */
export type RepoPathProblem = 'not_found' | 'not_a_folder' | 'not_a_git_repository';

/** The outcome of {@link inspectRepoPath}: the repository's real path, or why it is refused. */
export type RepoPathInspection = { ok: true; path: string } | { ok: false; reason: RepoPathProblem; message: string };

/** Checks that `path` is the top level of a git working tree; resolves its real path or says why not. */
export async function inspectRepoPath(path: string): Promise<RepoPathInspection> {
  const given = resolve(path);
  let real: string;
  try {
    real = await realpath(given);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' || code === 'ENOTDIR' ? 'does not exist' : `cannot be read (${code ?? String(error)})`;
    return { ok: false, reason: 'not_found', message: `${given} ${why}` };
  }
  const info = await stat(real);
  if (!info.isDirectory()) return { ok: false, reason: 'not_a_folder', message: `${given} is not a folder` };
  if (await looksLikeOwnWorkTreeTop(real)) return { ok: true, path: real };

  // Anything else is for git to judge, and to explain.
  const topLevel = await runGit(real, ['rev-parse', '--show-toplevel']);
  if (!topLevel.ok) {
    const why = /not a git repository/i.test(topLevel.message) ? 'no .git found' : topLevel.message;
    return { ok: false, reason: 'not_a_git_repository', message: `${given} is not a git repository (${why})` };
  }
  const top = await realpath(topLevel.stdout).catch(() => topLevel.stdout);
  if (top !== real) {
    return {
      ok: false,
      reason: 'not_a_git_repository',
      message: `${given} is inside the git repository ${top} but is not its top level; use ${top} instead`,
    };
  }
  return { ok: true, path: real };
}

/**
 * True when `folder` plainly is the top of a git working tree that git will
 * open for this user: a `.git` folder with a `HEAD` file, or a `.git` file
 * pointing elsewhere (`gitdir: …`, a linked worktree or submodule), owned by
 * the user running the supervisor. Checked in-process: a `git rev-parse` per
 * repository costs a process each, before the first worker can start. A
 * `.git` owned by someone else goes to git, which may refuse it ("dubious
 * ownership") with its own message.
 */
async function looksLikeOwnWorkTreeTop(folder: string): Promise<boolean> {
  const marker = join(folder, '.git');
  try {
    const info = await stat(marker);
    if (typeof process.getuid === 'function' && info.uid !== process.getuid()) return false;
    if (info.isDirectory()) return (await stat(join(marker, 'HEAD'))).isFile();
    return info.isFile() && (await readFile(marker, 'utf8')).startsWith('gitdir: ');
  } catch {
    return false;
  }
}

/** The slug of the repository at `path`: `owner/repo` from its `origin` remote, else its folder name made valid. */
export async function deriveSlug(path: string): Promise<string> {
  const origin = await runGit(resolve(path), ['remote', 'get-url', 'origin']);
  const fromRemote = origin.ok ? slugFromRemoteUrl(origin.stdout) : undefined;
  return fromRemote ?? slugFromFolderName(basename(resolve(path)));
}

/** `owner/repo` from a remote URL (https, http, ssh, git, scp-style), or `undefined` for local or unusable URLs. */
export function slugFromRemoteUrl(url: string): string | undefined {
  const trimmed = url.trim();
  let remotePath: string;
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed)) {
    let parsed: URL;
    try {
      parsed = new URL(trimmed);
    } catch {
      return undefined;
    }
    // A local remote names a folder on this host, not an owner and a repository.
    if (parsed.protocol === 'file:' || parsed.hostname === '') return undefined;
    remotePath = parsed.pathname;
  } else {
    // scp-like syntax `[user@]host:path`; a one-letter host would be a drive letter.
    const scp = /^(?:[^@/]+@)?([^:/]{2,}):(.+)$/.exec(trimmed);
    if (scp?.[2] === undefined) return undefined;
    remotePath = scp[2];
  }
  const segments = remotePath.split('/').filter((segment) => segment !== '');
  // GitLab subgroups (`group/sub/repo`): the last two segments name the repository.
  const [owner, repo] = segments.slice(-2).map((segment) => cleanSegment(decodeSegment(segment.replace(/\.git$/i, ''))));
  if (owner === undefined || repo === undefined || owner === '' || repo === '') return undefined;
  const slug = `${owner}/${repo}`;
  return slugProblem(slug) === undefined ? slug : undefined;
}

/** A valid single-segment slug from a folder name: other characters become `-`, leading dots go. */
export function slugFromFolderName(name: string): string {
  const cleaned = cleanSegment(name);
  return cleaned === '' ? 'repo' : cleaned;
}

/** The key under which two slugs collide: same data folder (`owner-repo`), compared without case. */
export function slugCollisionKey(slug: string): string {
  return slugKey(slug).toLowerCase();
}

function cleanSegment(segment: string): string {
  return segment
    .replace(/[^A-Za-z0-9._-]/g, '-')
    .replace(/\.{2,}/g, '.')
    .replace(/^[.-]+/, '')
    .slice(0, MAX_SEGMENT_LENGTH);
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

type GitResult = { ok: true; stdout: string } | { ok: false; message: string };

async function runGit(cwd: string, args: string[]): Promise<GitResult> {
  const env: NodeJS.ProcessEnv = { ...process.env, LC_ALL: 'C' };
  for (const name of GIT_LOCATION_VARIABLES) delete env[name];
  // execa is loaded on the first git call: most repository checks need no git at all.
  const { execa } = await import('./execa-library.js');
  const result = await execa('git', ['-C', cwd, ...args], { env, extendEnv: false, timeout: GIT_TIMEOUT_MS, reject: false, stdin: 'ignore' });
  if (!result.failed) return { ok: true, stdout: result.stdout ?? '' };
  if (result.code === 'ENOENT') return { ok: false, message: 'git is not installed or not on PATH' };
  if (result.timedOut) return { ok: false, message: `git ${args.join(' ')} did not finish within ${GIT_TIMEOUT_MS / 1000} s` };
  const stderr = (result.stderr ?? '').split('\n')[0]?.replace(/^fatal:\s*/, '');
  return { ok: false, message: stderr !== undefined && stderr !== '' ? stderr : (result.shortMessage ?? `git ${args.join(' ')} failed`) };
}
