import type { GithubLabels } from '@repovisor/protocol';
import { GithubApi } from './github-api.js';
import type { Call, GithubApiOptions } from './github-api.js';
import { closeIssue, comment, listComments, swapLabels } from './github-issues.js';
import type { GithubComment } from './github-issues.js';
import { deleteBranch, findPull, openPull, review, squashMerge } from './github-pulls.js';
import type { GithubPull, ReviewEvent } from './github-pulls.js';
import { preflight } from './github-preflight.js';
import { IssuePoll } from './issue-poll.js';
import type { GithubIssue } from './issue-poll.js';

// The GitHub operations the pipeline's task source and change host use, on
// one repository. Every method answers a value: see GithubFailure.

/** One repository's GitHub client. */
export class GithubClient {
  private readonly api: GithubApi;
  private readonly poll: IssuePoll;

  constructor(options: GithubApiOptions) {
    this.api = new GithubApi(options);
    this.poll = new IssuePoll(this.api);
  }

  /** Checks the token, the repository's access and the labels (creating missing ones). */
  preflight(labels: GithubLabels): Promise<Call<{ login: string; created: string[] }>> {
    return preflight(this.api, labels);
  }

  /** The open issues labelled `label` (conditional requests: `unchanged` when GitHub answered 304). */
  listIssues(label: string): Promise<Call<{ issues: GithubIssue[]; unchanged: boolean }>> {
    return this.poll.list(label);
  }

  /** Moves an issue to another stage label: adds `add`, then removes `remove`. */
  swapLabels(issue: number, add: string, remove: readonly string[]): Promise<Call<null>> {
    return swapLabels(this.api, issue, add, remove);
  }

  /** Posts a comment on an issue or pull request. */
  comment(issue: number, body: string): Promise<Call<{ id: number; url: string }>> {
    return comment(this.api, issue, body);
  }

  /** The comments of an issue, oldest first. */
  listComments(issue: number): Promise<Call<GithubComment[]>> {
    return listComments(this.api, issue);
  }

  /** Closes an issue. */
  closeIssue(issue: number): Promise<Call<null>> {
    return closeIssue(this.api, issue);
  }

  /** The newest pull request of a branch, or null. */
  findPull(branch: string): Promise<Call<GithubPull | null>> {
    return findPull(this.api, branch);
  }

  /** Opens "Fixes #N: <title>" (body "Closes #N") from `branch` into `base`, or answers the open one. */
  openPull(change: { issue: number; title: string; branch: string; base: string }): Promise<Call<GithubPull>> {
    return openPull(this.api, change);
  }

  /** Posts an APPROVE or REQUEST_CHANGES review. */
  review(pull: number, event: ReviewEvent, body: string): Promise<Call<{ id: number }>> {
    return review(this.api, pull, event, body);
  }

  /** Squash-merges a pull request. */
  squashMerge(pull: number, commit: { title: string; sha?: string }): Promise<Call<{ sha: string }>> {
    return squashMerge(this.api, pull, commit);
  }

  /** Deletes a branch on GitHub. */
  deleteBranch(branch: string): Promise<Call<null>> {
    return deleteBranch(this.api, branch);
  }
}
