import type { Call, GithubApi } from './github-api.js';

// Writes to issues: stage label swaps (the new label first, then the old
// ones, so that an issue is never without a stage label), comments, closing.

/** A comment on an issue. */
export interface GithubComment {
  id: number;
  body: string;
  author: string;
}

/** Adds `add`, then removes each of `remove` the issue has; a label already gone is not a failure. */
export async function swapLabels(api: GithubApi, issue: number, add: string, remove: readonly string[]): Promise<Call<null>> {
  const added = await api.call(`adding the label ${add} to issue #${issue} of ${api.slug}`, () =>
    api.octokit.rest.issues.addLabels({ ...api.repo, issue_number: issue, labels: [add] }),
  );
  if (!added.ok) return added;
  const has = new Set(added.value.data.map((label) => label.name));
  for (const name of remove) {
    if (name === add || !has.has(name)) continue;
    const removed = await api.call(`removing the label ${name} from issue #${issue} of ${api.slug}`, () =>
      api.octokit.rest.issues.removeLabel({ ...api.repo, issue_number: issue, name }),
    );
    if (!removed.ok && removed.kind !== 'not_found') return removed;
  }
  return { ok: true, value: null };
}

/** Posts a comment on an issue or a pull request. */
export async function comment(api: GithubApi, issue: number, body: string): Promise<Call<{ id: number; url: string }>> {
  const posted = await api.call(`commenting on #${issue} of ${api.slug}`, () => api.octokit.rest.issues.createComment({ ...api.repo, issue_number: issue, body }));
  return posted.ok ? { ok: true, value: { id: posted.value.data.id, url: posted.value.data.html_url } } : posted;
}

/** The comments of an issue, oldest first, every page. */
export async function listComments(api: GithubApi, issue: number): Promise<Call<GithubComment[]>> {
  const listed = await api.call(`reading the comments of #${issue} of ${api.slug}`, () =>
    api.octokit.paginate(api.octokit.rest.issues.listComments, { ...api.repo, issue_number: issue, per_page: 100 }),
  );
  if (!listed.ok) return listed;
  return { ok: true, value: listed.value.map((each) => ({ id: each.id, body: each.body ?? '', author: each.user?.login ?? '' })) };
}

/** Closes an issue. */
export async function closeIssue(api: GithubApi, issue: number): Promise<Call<null>> {
  const closed = await api.call(`closing issue #${issue} of ${api.slug}`, () => api.octokit.rest.issues.update({ ...api.repo, issue_number: issue, state: 'closed' }));
  return closed.ok ? { ok: true, value: null } : closed;
}
