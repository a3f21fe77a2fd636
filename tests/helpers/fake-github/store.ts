// The state of the fake GitHub server's one repository, and the JSON shapes
// GitHub's REST API answers with (the fields the client reads, named and
// typed as GitHub's REST reference gives them).

/** A label as GitHub answers it. */
export interface LabelShape {
  id: number;
  node_id: string;
  url: string;
  name: string;
  color: string;
  description: string | null;
  default: boolean;
}

/** An issue as the fake stores it; `labels` by name. */
export interface FakeIssue {
  number: number;
  title: string;
  body: string | null;
  state: 'open' | 'closed';
  labels: string[];
  updatedAt: string;
}

/** A comment on an issue or a pull request. */
export interface FakeComment {
  id: number;
  issue: number;
  body: string;
  createdAt: string;
}

/** A pull request: `head` and `base` are branch names in the bare remote. */
export interface FakePull {
  number: number;
  title: string;
  body: string | null;
  head: string;
  base: string;
  state: 'open' | 'closed';
  merged: boolean;
  mergeSha: string | null;
  headSha: string;
}

/** A review posted on a pull request. */
export interface FakeReview {
  id: number;
  pull: number;
  event: string;
  body: string;
}

/** The repository's issues, pull requests (which share the issue numbers, as on GitHub), labels, comments and reviews. */
export class FakeStore {
  readonly labels = new Map<string, { id: number; color: string; description: string | null }>();
  readonly issues = new Map<number, FakeIssue>();
  readonly pulls = new Map<number, FakePull>();
  readonly comments: FakeComment[] = [];
  readonly reviews: FakeReview[] = [];
  private nextNumber = 1;
  private nextId = 1000;
  /** Bumped on every write, so that an ETag changes when anything does. */
  version = 0;

  constructor(
    readonly base: string,
    readonly owner: string,
    readonly repo: string,
  ) {}

  /** A new issue or pull request number. */
  number(): number {
    return this.nextNumber++;
  }

  /** A new object id. */
  id(): number {
    return this.nextId++;
  }

  /** Marks a write. */
  touch(): void {
    this.version++;
  }

  /** The API address of this repository. */
  get repoUrl(): string {
    return `${this.base}/repos/${this.owner}/${this.repo}`;
  }

  /** A label by name, as GitHub answers it. */
  labelShape(name: string): LabelShape {
    const label = this.labels.get(name) ?? { id: 0, color: 'ededed', description: null };
    return {
      id: label.id,
      node_id: `LA_${label.id}`,
      url: `${this.repoUrl}/labels/${encodeURIComponent(name)}`,
      name,
      color: label.color,
      description: label.description,
      default: false,
    };
  }

  /** An issue (or a pull request's issue side) as GitHub answers it. */
  issueShape(issue: FakeIssue): Record<string, unknown> {
    const pull = this.pulls.get(issue.number);
    return {
      id: issue.number + 500_000,
      node_id: `I_${issue.number}`,
      url: `${this.repoUrl}/issues/${issue.number}`,
      html_url: `https://github.com/${this.owner}/${this.repo}/${pull ? 'pull' : 'issues'}/${issue.number}`,
      number: issue.number,
      state: issue.state,
      title: issue.title,
      body: issue.body,
      user: { login: 'octocat', id: 1, type: 'User' },
      labels: issue.labels.map((name) => this.labelShape(name)),
      comments: this.comments.filter((comment) => comment.issue === issue.number).length,
      created_at: issue.updatedAt,
      updated_at: issue.updatedAt,
      closed_at: issue.state === 'closed' ? issue.updatedAt : null,
      ...(pull ? { pull_request: { url: `${this.repoUrl}/pulls/${pull.number}`, merged_at: pull.merged ? issue.updatedAt : null } } : {}),
    };
  }

  /** A pull request as GitHub answers it. */
  pullShape(pull: FakePull): Record<string, unknown> {
    const ref = (branch: string, sha: string) => ({
      label: `${this.owner}:${branch}`,
      ref: branch,
      sha,
      repo: { name: this.repo, full_name: `${this.owner}/${this.repo}`, owner: { login: this.owner } },
    });
    return {
      id: pull.number + 900_000,
      node_id: `PR_${pull.number}`,
      url: `${this.repoUrl}/pulls/${pull.number}`,
      html_url: `https://github.com/${this.owner}/${this.repo}/pull/${pull.number}`,
      number: pull.number,
      state: pull.state,
      title: pull.title,
      body: pull.body,
      head: ref(pull.head, pull.headSha),
      base: ref(pull.base, ''),
      merged: pull.merged,
      merged_at: pull.merged ? new Date().toISOString() : null,
      merge_commit_sha: pull.mergeSha,
      draft: false,
    };
  }

  /** A comment as GitHub answers it. */
  commentShape(comment: FakeComment): Record<string, unknown> {
    return {
      id: comment.id,
      node_id: `IC_${comment.id}`,
      url: `${this.repoUrl}/issues/comments/${comment.id}`,
      html_url: `https://github.com/${this.owner}/${this.repo}/issues/${comment.issue}#issuecomment-${comment.id}`,
      body: comment.body,
      user: { login: 'octocat', id: 1, type: 'User' },
      created_at: comment.createdAt,
      updated_at: comment.createdAt,
    };
  }
}
