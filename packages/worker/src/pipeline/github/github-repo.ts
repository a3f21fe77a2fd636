import type { Result } from '@repovisor/kit';

// Which GitHub repository a repo's pipeline works on: `pipeline.github_repo`,
// else the owner/name of its remote's URL when that URL is on GitHub (or on
// the GitHub Enterprise host of `pipeline.api_url`).

/** A repository on GitHub. */
export interface GithubRepo {
  owner: string;
  repo: string;
}

const SEGMENT = /^[A-Za-z0-9_.-]+$/;

/** The web host of an API URL: github.com for https://api.github.com, the server's host for GitHub Enterprise. */
function webHost(apiUrl: string): string {
  const host = new URL(apiUrl).host.toLowerCase();
  return host === 'api.github.com' ? 'github.com' : host;
}

/** `owner/name` of a git URL on the API's host (https, ssh, git or scp-style), or null. */
function repoOfUrl(url: string, apiUrl: string): GithubRepo | null {
  const host = webHost(apiUrl);
  const scp = /^(?:[^@/]+@)?([^:/]+):(?!\/)(.+)$/.exec(url);
  let urlHost: string;
  let path: string;
  if (scp && !/^[a-z]+:\/\//i.test(url)) {
    urlHost = (scp[1] ?? '').toLowerCase();
    path = scp[2] ?? '';
  } else {
    try {
      const parsed = new URL(url);
      urlHost = parsed.host.toLowerCase();
      path = parsed.pathname;
    } catch {
      return null;
    }
  }
  if (urlHost !== host) return null;
  const parts = path.replace(/^\/+|\/+$/g, '').replace(/\.git$/, '').split('/');
  return parts.length === 2 ? repoOfSlug(parts.join('/')) : null;
}

/** `owner/name` as written, or null when it is not of that form. */
function repoOfSlug(slug: string): GithubRepo | null {
  const [owner, repo, extra] = slug.split('/');
  if (extra !== undefined || owner === undefined || repo === undefined || !SEGMENT.test(owner) || !SEGMENT.test(repo)) return null;
  return { owner, repo };
}

/** The repository: the configured one, else the remote URL's; a failure says how to configure it. */
export function resolveGithubRepo(configured: string | null, remoteUrl: string, apiUrl: string): Result<{ repo: GithubRepo }, { message: string }> {
  if (configured !== null) {
    const repo = repoOfSlug(configured);
    return repo ? { ok: true, repo } : { ok: false, message: `pipeline.github_repo ${JSON.stringify(configured)} is not of the form owner/name` };
  }
  const repo = repoOfUrl(remoteUrl, apiUrl);
  if (repo) return { ok: true, repo };
  return {
    ok: false,
    message: `the remote's URL ${JSON.stringify(remoteUrl.replace(/\/\/[^/@]*@/, '//'))} is not a repository on ${webHost(apiUrl)}; set pipeline.github_repo to owner/name`,
  };
}
