import type { Call, GithubApi } from './github-api.js';

// Pull requests: opened once per branch ("Fixes #N: <title>", body
// "Closes #N"), reviewed, squash-merged, and their branch deleted.

/** A pull request as the pipeline reads it. */
export interface GithubPull {
  number: number;
  url: string;
  state: string;
  merged: boolean;
  headSha: string;
}

/** A review's verdict. */
export type ReviewEvent = 'APPROVE' | 'REQUEST_CHANGES';

const pullOf = (data: { number: number; html_url: string; state: string; merged_at?: string | null; head: { sha: string } }, merged = false): GithubPull => ({
  number: data.number,
  url: data.html_url,
  state: data.state,
  merged: merged || (data.merged_at ?? null) !== null,
  headSha: data.head.sha,
});

/** The newest pull request (open or not) whose head is `branch`, or null. */
export async function findPull(api: GithubApi, branch: string): Promise<Call<GithubPull | null>> {
  const listed = await api.call(`looking for the pull request of ${branch} in ${api.slug}`, () =>
    api.octokit.rest.pulls.list({ ...api.repo, head: `${api.repo.owner}:${branch}`, state: 'all', per_page: 10 }),
  );
  if (!listed.ok) return listed;
  const newest = [...listed.value.data].sort((a, b) => b.number - a.number)[0];
  return { ok: true, value: newest === undefined ? null : pullOf(newest) };
}

/** Opens the pull request of an issue's branch, or answers the open one it already has. */
export async function openPull(api: GithubApi, change: { issue: number; title: string; branch: string; base: string }): Promise<Call<GithubPull>> {
  const existing = await findPull(api, change.branch);
  if (!existing.ok) return existing;
  if (existing.value !== null && existing.value.state === 'open') return { ok: true, value: existing.value };
  const opened = await api.call(`opening the pull request of ${change.branch} in ${api.slug}`, () =>
    api.octokit.rest.pulls.create({ ...api.repo, head: change.branch, base: change.base, title: `Fixes #${change.issue}: ${change.title}`, body: `Closes #${change.issue}` }),
  );
  if (opened.ok) return { ok: true, value: pullOf(opened.value.data) };
  if (opened.kind === 'invalid') {
    // Opened meanwhile (another pass): GitHub refuses a second one for the same head.
    const again = await findPull(api, change.branch);
    if (again.ok && again.value !== null && again.value.state === 'open') return { ok: true, value: again.value };
  }
  return opened;
}

/** Posts a review: APPROVE or REQUEST_CHANGES with the reviewer's summary and feedback. */
export async function review(api: GithubApi, pull: number, event: ReviewEvent, body: string): Promise<Call<{ id: number }>> {
  const posted = await api.call(`posting a review on pull request #${pull} of ${api.slug}`, () =>
    api.octokit.rest.pulls.createReview({ ...api.repo, pull_number: pull, event, body: body === '' ? event : body }),
  );
  return posted.ok ? { ok: true, value: { id: posted.value.data.id } } : posted;
}

/** Squash-merges a pull request; `sha` (its head when reviewed) makes GitHub refuse (409) when the branch moved since. */
export async function squashMerge(api: GithubApi, pull: number, commit: { title: string; sha?: string }): Promise<Call<{ sha: string }>> {
  const merged = await api.call(`merging pull request #${pull} of ${api.slug}`, () =>
    api.octokit.rest.pulls.merge({ ...api.repo, pull_number: pull, merge_method: 'squash', commit_title: commit.title, ...(commit.sha === undefined ? {} : { sha: commit.sha }) }),
  );
  return merged.ok ? { ok: true, value: { sha: merged.value.data.sha } } : merged;
}

/** Deletes a branch on GitHub; one already gone is not a failure. */
export async function deleteBranch(api: GithubApi, branch: string): Promise<Call<null>> {
  const deleted = await api.call(`deleting the branch ${branch} of ${api.slug}`, () => api.octokit.rest.git.deleteRef({ ...api.repo, ref: `heads/${branch}` }));
  return deleted.ok || deleted.kind === 'invalid' ? { ok: true, value: null } : deleted;
}
