import { failure, invalid, notFound, paged, textField } from './answer.js';
import type { FakeAnswer, FakeRequest } from './answer.js';
import type { FakeStore } from './store.js';

// The repository, label, issue and comment endpoints of the fake GitHub server.

const now = () => new Date().toISOString();

/** GET /repos/{o}/{r}: `permissions` as the token has them. */
export function repository(store: FakeStore, request: FakeRequest): FakeAnswer {
  const write = request.access === 'write';
  return {
    status: 200,
    body: {
      id: 4242,
      node_id: 'R_4242',
      name: store.repo,
      full_name: `${store.owner}/${store.repo}`,
      owner: { login: store.owner, id: 2, type: 'User' },
      private: true,
      default_branch: 'main',
      has_issues: true,
      permissions: { admin: false, maintain: write, push: write, triage: write, pull: true },
    },
  };
}

/** GET and POST /repos/{o}/{r}/labels. */
export function labels(store: FakeStore, request: FakeRequest): FakeAnswer {
  if (request.method === 'GET') return paged(request, store.base, [...store.labels.keys()].map((name) => store.labelShape(name)));
  const name = textField(request.body, 'name');
  if (name === undefined || name === '') return invalid('Label', 'missing_field', 'name');
  if (store.labels.has(name)) return invalid('Label', 'already_exists', 'name');
  store.labels.set(name, { id: store.id(), color: textField(request.body, 'color') ?? 'ededed', description: textField(request.body, 'description') ?? null });
  store.touch();
  return { status: 201, body: store.labelShape(name) };
}

/** GET /repos/{o}/{r}/issues: `state` (default open), `labels` (all of them), pull requests included, as GitHub does. */
export function listIssues(store: FakeStore, request: FakeRequest): FakeAnswer {
  const state = request.query.get('state') ?? 'open';
  const wanted = (request.query.get('labels') ?? '').split(',').filter((name) => name !== '');
  const found = [...store.issues.values()]
    .filter((issue) => state === 'all' || issue.state === state)
    .filter((issue) => wanted.every((name) => issue.labels.includes(name)))
    .sort((a, b) => b.number - a.number)
    .map((issue) => store.issueShape(issue));
  return paged(request, store.base, found);
}

/** GET and PATCH /repos/{o}/{r}/issues/{n} (a PATCH may set `state`, `title`, `body`, `labels`). */
export function issue(store: FakeStore, request: FakeRequest, number: number): FakeAnswer {
  const found = store.issues.get(number);
  if (found === undefined) return notFound();
  if (request.method === 'PATCH') {
    const state = textField(request.body, 'state');
    if (state !== undefined && state !== 'open' && state !== 'closed') return invalid('Issue', 'invalid', 'state');
    if (state !== undefined) found.state = state;
    found.title = textField(request.body, 'title') ?? found.title;
    if (Array.isArray(request.body['labels'])) found.labels = request.body['labels'].map(String);
    found.updatedAt = now();
    store.touch();
  }
  return { status: 200, body: store.issueShape(found) };
}

/** POST /repos/{o}/{r}/issues/{n}/labels and DELETE …/labels/{name}: both answer the issue's labels. */
export function issueLabels(store: FakeStore, request: FakeRequest, number: number, name?: string): FakeAnswer {
  const found = store.issues.get(number);
  if (found === undefined) return notFound();
  if (request.method === 'DELETE' && name !== undefined) {
    if (!found.labels.includes(name)) return failure(404, 'Label does not exist');
    found.labels = found.labels.filter((label) => label !== name);
  } else if (request.method === 'POST') {
    const added = request.body['labels'];
    if (!Array.isArray(added) || added.length === 0) return invalid('Issue', 'missing_field', 'labels');
    for (const label of added.map(String)) {
      // GitHub creates a label it does not know when one is added to an issue.
      if (!store.labels.has(label)) store.labels.set(label, { id: store.id(), color: 'ededed', description: null });
      if (!found.labels.includes(label)) found.labels.push(label);
    }
  } else {
    return notFound();
  }
  found.updatedAt = now();
  store.touch();
  return { status: 200, body: found.labels.map((label) => store.labelShape(label)) };
}

/** GET and POST /repos/{o}/{r}/issues/{n}/comments. */
export function comments(store: FakeStore, request: FakeRequest, number: number): FakeAnswer {
  if (!store.issues.has(number)) return notFound();
  if (request.method === 'GET') {
    return paged(request, store.base, store.comments.filter((comment) => comment.issue === number).map((comment) => store.commentShape(comment)));
  }
  const body = textField(request.body, 'body');
  if (body === undefined || body === '') return invalid('IssueComment', 'missing_field', 'body');
  const comment = { id: store.id(), issue: number, body, createdAt: now() };
  store.comments.push(comment);
  store.touch();
  return { status: 201, body: store.commentShape(comment) };
}
