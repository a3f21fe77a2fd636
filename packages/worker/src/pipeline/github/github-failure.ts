// Why a GitHub API call failed, as a value the pipeline can act on: wait for
// a rate limit, tell the operator about a token, or retry later.

/** The kinds of GitHub failure. */
type GithubFailureKind =
  | 'unauthorized'
  | 'forbidden'
  | 'rate_limited'
  | 'not_found'
  | 'not_mergeable'
  | 'head_changed'
  | 'invalid'
  | 'unreachable'
  | 'http';

/** A failed GitHub call: what, why and how to fix it in `message`; `retryAt` (ms since the epoch) when a rate limit ends. */
export interface GithubFailure {
  kind: GithubFailureKind;
  message: string;
  status?: number;
  retryAt?: number;
  /** The permission GitHub says the token lacks (`x-accepted-github-permissions`), when it says. */
  permission?: string;
}

interface ErrorLike {
  status?: unknown;
  message?: unknown;
  response?: { headers?: Record<string, string | number | undefined>; data?: unknown };
}

/** When a 403 or 429 answer is a rate limit, the time it ends (ms since the epoch), else null. */
function rateLimitEnd(status: number, headers: Record<string, string | number | undefined>, now: number): number | null {
  if (status !== 403 && status !== 429) return null;
  const retryAfter = Number(headers['retry-after']);
  if (headers['retry-after'] !== undefined && Number.isFinite(retryAfter)) return now + retryAfter * 1000;
  if (String(headers['x-ratelimit-remaining']) === '0') {
    const reset = Number(headers['x-ratelimit-reset']);
    return Number.isFinite(reset) ? Math.max(now, reset * 1000) : now + 60_000;
  }
  // A secondary rate limit with neither header: GitHub asks to wait at least a minute.
  return status === 429 ? now + 60_000 : null;
}

/** The failure an Octokit error stands for; `what` says what was being done ("listing the issues of acme/alpha"). */
export function githubFailure(error: unknown, what: string, now = Date.now()): GithubFailure {
  const failed = (typeof error === 'object' && error !== null ? error : {}) as ErrorLike;
  const status = typeof failed.status === 'number' ? failed.status : 0;
  const headers = failed.response?.headers ?? {};
  const data = failed.response?.data;
  const said = typeof data === 'object' && data !== null && typeof (data as { message?: unknown }).message === 'string' ? (data as { message: string }).message : String(failed.message ?? error);
  if (status === 0) {
    return { kind: 'unreachable', message: `${what} failed: GitHub's API could not be reached (${said}); check pipeline.api_url and the network` };
  }
  const retryAt = rateLimitEnd(status, headers, now);
  if (retryAt !== null) {
    return { kind: 'rate_limited', status, retryAt, message: `${what} failed: GitHub's rate limit was reached (${said}); the pipeline waits until ${new Date(retryAt).toISOString()}` };
  }
  switch (status) {
    case 401:
      return { kind: 'unauthorized', status, message: `${what} failed: GitHub refused the token (${said}); set GITHUB_TOKEN or GH_TOKEN to a valid token, or run gh auth login` };
    case 403: {
      const permission = headers['x-accepted-github-permissions'];
      const needs = permission === undefined ? 'write access to the repository' : `the permission ${String(permission)}`;
      return {
        kind: 'forbidden',
        status,
        message: `${what} failed: the token may not do this (${said}); give it ${needs} (docs/GITHUB.md lists the scopes)`,
        ...(permission === undefined ? {} : { permission: String(permission) }),
      };
    }
    case 404:
      return { kind: 'not_found', status, message: `${what} failed: GitHub answered 404 (${said}); check pipeline.github_repo and that the token can see the repository` };
    case 405:
      return { kind: 'not_mergeable', status, message: `${what} failed: GitHub cannot merge it (${said}); the branch may conflict with the base or squash merges may be off` };
    case 409:
      return { kind: 'head_changed', status, message: `${what} failed: the branch moved while merging (${said}); the merge is retried on the next pass` };
    case 422:
      return { kind: 'invalid', status, message: `${what} failed: GitHub refused the request (${said}${validationDetail(data)})` };
    default:
      return { kind: 'http', status, message: `${what} failed: GitHub answered ${status} (${said}); it is retried on the next pass` };
  }
}

function validationDetail(data: unknown): string {
  const errors = typeof data === 'object' && data !== null ? (data as { errors?: unknown }).errors : undefined;
  if (!Array.isArray(errors) || errors.length === 0) return '';
  return `: ${errors.map((entry) => (typeof entry === 'string' ? entry : JSON.stringify(entry))).join('; ')}`;
}
