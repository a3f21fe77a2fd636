import { failure, invalid, notFound, textField } from './answer.js';
import type { FakeAnswer, FakeRequest } from './answer.js';
import { branchSha, deleteBranch, squashMerge } from './squash-merge.js';
import type { FakeStore } from './store.js';

// The pull request, review and branch endpoints of the fake GitHub server,
// against the bare repository that plays the GitHub remote.

const REVIEW_STATES: Record<string, string> = { APPROVE: 'APPROVED', REQUEST_CHANGES: 'CHANGES_REQUESTED', COMMENT: 'COMMENTED' };

/** POST /repos/{o}/{r}/pulls (201) and GET with `head=owner:branch` and `state`. */
export async function pulls(store: FakeStore, bare: string, request: FakeRequest): Promise<FakeAnswer> {
  if (request.method === 'GET') {
    const state = request.query.get('state') ?? 'open';
    const head = request.query.get('head');
    const found = [...store.pulls.values()]
      .filter((pull) => state === 'all' || pull.state === state)
      .filter((pull) => head === null || `${store.owner}:${pull.head}` === head)
      .map((pull) => store.pullShape(pull));
    return { status: 200, body: found };
  }
  const title = textField(request.body, 'title');
  const head = textField(request.body, 'head')?.replace(new RegExp(`^${store.owner}:`), '');
  const base = textField(request.body, 'base');
  if (title === undefined || head === undefined || base === undefined) return invalid('PullRequest', 'missing_field', 'title');
  const headSha = await branchSha(bare, head);
  if (headSha === null) return invalid('PullRequest', 'invalid', 'head');
  if ((await branchSha(bare, base)) === null) return invalid('PullRequest', 'invalid', 'base');
  if ([...store.pulls.values()].some((pull) => pull.head === head && pull.state === 'open')) {
    return invalid('PullRequest', 'custom', 'head', `A pull request already exists for ${store.owner}:${head}.`);
  }
  const number = store.number();
  const body = textField(request.body, 'body') ?? null;
  const pull = { number, title, body, head, base, state: 'open' as const, merged: false, mergeSha: null, headSha };
  store.pulls.set(number, pull);
  store.issues.set(number, { number, title, body, state: 'open', labels: [], updatedAt: new Date().toISOString() });
  store.touch();
  return { status: 201, body: store.pullShape(pull) };
}

/** GET /repos/{o}/{r}/pulls/{n}, its head's sha read from the remote. */
export async function pull(store: FakeStore, bare: string, number: number): Promise<FakeAnswer> {
  const found = store.pulls.get(number);
  if (found === undefined) return notFound();
  if (found.state === 'open') found.headSha = (await branchSha(bare, found.head)) ?? found.headSha;
  return { status: 200, body: store.pullShape(found) };
}

/** PUT /repos/{o}/{r}/pulls/{n}/merge: 200 `{sha, merged, message}`, 405 not mergeable, 409 when `sha` is not the head's. */
export async function merge(store: FakeStore, bare: string, request: FakeRequest, number: number): Promise<FakeAnswer> {
  const found = store.pulls.get(number);
  if (found === undefined) return notFound();
  if (found.merged || found.state === 'closed') return failure(405, 'Pull Request is not mergeable');
  const method = textField(request.body, 'merge_method') ?? 'merge';
  if (method !== 'squash') return failure(405, `${method} merges are not allowed on this repository.`);
  const headSha = await branchSha(bare, found.head);
  const expected = textField(request.body, 'sha');
  if (expected !== undefined && expected !== headSha) return failure(409, 'Head branch was modified. Review and try the merge again.');
  const title = textField(request.body, 'commit_title') ?? `${found.title} (#${number})`;
  const message = textField(request.body, 'commit_message');
  const merged = await squashMerge(bare, found.base, found.head, message === undefined ? title : `${title}\n\n${message}`);
  if (!merged.ok) return failure(405, 'Pull Request is not mergeable');
  Object.assign(found, { merged: true, state: 'closed', mergeSha: merged.sha });
  const issue = store.issues.get(number);
  if (issue) issue.state = 'closed';
  closeLinkedIssues(store, found.body ?? '');
  store.touch();
  return { status: 200, body: { sha: merged.sha, merged: true, message: 'Pull Request successfully merged' } };
}

// GitHub closes the issues a merged pull request's body says it closes ("Closes #N").
function closeLinkedIssues(store: FakeStore, body: string): void {
  for (const match of body.matchAll(/\b(?:close[sd]?|fix(?:e[sd])?|resolve[sd]?)\s+#(\d+)/gi)) {
    const issue = store.issues.get(Number(match[1]));
    if (issue) issue.state = 'closed';
  }
}

/** POST /repos/{o}/{r}/pulls/{n}/reviews: `event` APPROVE, REQUEST_CHANGES or COMMENT (the last two need a body). */
export function review(store: FakeStore, request: FakeRequest, number: number): FakeAnswer {
  if (!store.pulls.has(number)) return notFound();
  const event = textField(request.body, 'event') ?? 'PENDING';
  const body = textField(request.body, 'body') ?? '';
  const state = REVIEW_STATES[event];
  if (state === undefined) return invalid('PullRequestReview', 'invalid', 'event');
  if (event !== 'APPROVE' && body === '') return failure(422, 'Unprocessable Entity', { errors: [`Review body is required for ${event}`] });
  const id = store.id();
  store.reviews.push({ id, pull: number, event, body });
  store.touch();
  return { status: 200, body: { id, node_id: `PRR_${id}`, body, state, user: { login: 'octocat', id: 1 }, html_url: `https://github.com/${store.owner}/${store.repo}/pull/${number}#pullrequestreview-${id}` } };
}

/** DELETE /repos/{o}/{r}/git/refs/heads/{branch}: 204, or 422 when there is no such branch. */
export async function deleteRef(bare: string, branch: string): Promise<FakeAnswer> {
  return (await deleteBranch(bare, branch)) ? { status: 204 } : failure(422, 'Reference does not exist');
}
