import { realpath, stat } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import { slugKey, slugProblem } from '@repovisor/protocol';
import { readGitMarker } from './git-marker.js';
import { runGit } from '@repovisor/kit';
import type { GitResult } from '@repovisor/kit';
import type { Result } from '@repovisor/kit';

const MAX_SEGMENT_LENGTH = 100;
// `git remote get-url` exits with 2 when the remote does not exist.
const NO_SUCH_REMOTE_EXIT = 2;

/** Why a folder cannot be managed as a repository; `git_unavailable`: git could not be run to tell. */
type RepoPathProblem = 'not_found' | 'not_a_folder' | 'not_a_git_repository' | 'git_unavailable';

/** The outcome of {@link inspectRepoPath}: the repository's real path, or why it is refused. */
export type RepoPathInspection = Result<{ path: string }, { reason: RepoPathProblem; message: string }>;

/**
 * Checks that `path` is the top level of a git working tree that git opens
 * and whose HEAD names a commit it has (or a branch not born yet, as after
 * `git init`); resolves its real path or says why not. A folder whose `.git`
 * plainly is sound is checked in-process ({@link readGitMarker}); any other
 * goes to `git rev-parse`.
 */
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
  const marker = await readGitMarker(real);
  if (marker.kind === 'sound') return { ok: true, path: real };
  const broken = (why: string): RepoPathInspection => ({
    ok: false,
    reason: 'not_a_git_repository',
    message: `${given} is not a usable git repository: ${why}; repair it or clone it again`,
  });

  // Anything else is for git to judge, and to explain. `--verify HEAD^{commit}` fails (exit 1, the top level
  // still printed) when HEAD names no commit git has.
  const checked = await runGit(real, ['rev-parse', '--show-toplevel', '--verify', '--quiet', 'HEAD^{commit}']);
  if (!checked.ok && checked.reason !== 'exit_non_zero') return unavailable(given, checked);
  const top = checked.stdout.split('\n')[0] ?? '';
  if (top === '') {
    if (marker.hint !== undefined) return broken(marker.hint);
    const message = checked.ok ? 'git names no top level' : checked.message;
    const why = /not a git repository/i.test(message) ? 'no .git found' : message;
    return { ok: false, reason: 'not_a_git_repository', message: `${given} is not a git repository (${why})` };
  }
  const realTop = await realpath(top).catch(() => top);
  if (realTop !== real) {
    if (marker.hint !== undefined) return broken(marker.hint);
    return {
      ok: false,
      reason: 'not_a_git_repository',
      message: `${given} is inside the git repository ${realTop} but is not its top level; use ${realTop} instead`,
    };
  }
  if (checked.ok) return { ok: true, path: real };
  const head = await unresolvedHead(real);
  if (head.kind === 'unborn') return { ok: true, path: real };
  if (head.kind === 'git_failed') return unavailable(given, head.result);
  return broken(head.why);
}

type UnresolvedHead = { kind: 'unborn' } | { kind: 'missing'; why: string } | { kind: 'git_failed'; result: GitResult & { ok: false } };

/** Why HEAD names no commit: a branch not born yet, or a commit that is missing from the object store. */
async function unresolvedHead(repo: string): Promise<UnresolvedHead> {
  const branch = await runGit(repo, ['symbolic-ref', '--quiet', 'HEAD']);
  if (!branch.ok && branch.reason !== 'exit_non_zero') return { kind: 'git_failed', result: branch };
  const named = branch.ok ? branch.stdout : 'HEAD';
  const id = await runGit(repo, ['rev-parse', '--verify', '--quiet', named]);
  if (!id.ok && id.reason !== 'exit_non_zero') return { kind: 'git_failed', result: id };
  // A branch with no commit of its own yet: nothing is missing.
  if (branch.ok && !id.ok) return { kind: 'unborn' };
  const what = id.ok ? `the commit ${id.stdout}` : 'a commit';
  return { kind: 'missing', why: `HEAD (${named}) names ${what} that is missing from its objects` };
}

function unavailable(given: string, result: GitResult & { ok: false }): RepoPathInspection {
  return { ok: false, reason: 'git_unavailable', message: `cannot check that ${given} is a git repository: ${result.message}` };
}

/** The outcome of {@link deriveSlug}: the slug, or why git could not tell it. */
export type SlugDerivation = Result<{ slug: string }>;

/**
 * The slug of the repository at `path`: `owner/repo` from its `origin` remote,
 * else (no origin, or a local one) its folder name made valid. A git that
 * cannot be run is an error, never a silent fall back to the folder name.
 */
export async function deriveSlug(path: string): Promise<SlugDerivation> {
  const origin = await runGit(resolve(path), ['remote', 'get-url', 'origin']);
  if (!origin.ok && origin.exitCode !== NO_SUCH_REMOTE_EXIT) {
    return {
      ok: false,
      message: `cannot derive the slug of ${resolve(path)} from its origin remote: ${origin.message}; fix that, or give the repository an explicit slug`,
    };
  }
  const fromRemote = origin.ok ? slugFromRemoteUrl(origin.stdout) : undefined;
  return { ok: true, slug: fromRemote ?? slugFromFolderName(basename(resolve(path))) };
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
