import type { Result } from '@repovisor/kit';
import { isAbsolute, resolve } from 'node:path';
import { pipelineGit } from './pipeline-git.js';

/** Where the pipeline's changes go: a remote of the repository, its URL and the branch changes are merged into. */
export interface RemoteTarget {
  /** The remote's name in the repository (`pipeline.remote`). */
  remote: string;
  /** Its URL, as `git remote get-url` gives it: workspaces push and fetch there. */
  url: string;
  /** The base branch (`pipeline.base_branch`, else the remote's HEAD branch). */
  baseBranch: string;
}

/** Why a repository has no usable remote target. */
export type RemoteTargetFailure = { reason: 'no_remote' | 'remote_unreachable' | 'no_base_branch'; message: string };

/** What {@link resolveRemoteTarget} needs: the repository and its pipeline settings' `remote` and `base_branch`. */
export interface RemoteTargetSettings {
  repoPath: string;
  remote: string;
  baseBranch: string | null;
}

/**
 * Finds the remote target of a repository: the remote must exist, and the base
 * branch is the configured one or the one the remote's HEAD points at
 * (`git ls-remote --symref <remote> HEAD`). Reads the repository, never writes it.
 */
export async function resolveRemoteTarget(settings: RemoteTargetSettings): Promise<Result<{ target: RemoteTarget }, RemoteTargetFailure>> {
  const { repoPath, remote } = settings;
  const url = await pipelineGit(repoPath, ['remote', 'get-url', remote]);
  if (!url.ok || url.stdout === '') {
    return {
      ok: false,
      reason: 'no_remote',
      message:
        `the repo has no remote "${remote}" (${repoPath}); add one with \`git -C ${repoPath} remote add ${remote} <url>\`, ` +
        'or set pipeline.remote to one it has (`git remote -v` lists them)',
    };
  }
  const absolute = absoluteUrl(repoPath, url.stdout);
  if (settings.baseBranch !== null) return { ok: true, target: { remote, url: absolute, baseBranch: settings.baseBranch } };
  const head = await pipelineGit(repoPath, ['ls-remote', '--symref', remote, 'HEAD']);
  if (!head.ok) {
    return {
      ok: false,
      reason: 'remote_unreachable',
      message: `cannot read the HEAD branch of remote "${remote}" (${url.stdout}): ${head.message}; check that the remote is reachable, or set pipeline.base_branch`,
    };
  }
  const symref = /^ref: refs\/heads\/(\S+)\tHEAD$/m.exec(head.stdout);
  if (symref?.[1] === undefined) {
    return {
      ok: false,
      reason: 'no_base_branch',
      message: `remote "${remote}" (${url.stdout}) has no HEAD branch (is it empty?); push the base branch to it, or set pipeline.base_branch`,
    };
  }
  return { ok: true, target: { remote, url: absolute, baseBranch: symref[1] } };
}

/** A remote URL that means the same from a workspace: a relative folder is relative to the repository. */
function absoluteUrl(repoPath: string, url: string): string {
  // `scheme://…` and scp-like `[user@]host:path` (a colon before any slash) are not folders.
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(url) || /^[^/]+:/.test(url) || isAbsolute(url)) return url;
  return resolve(repoPath, url);
}
