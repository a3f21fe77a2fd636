import type { $ZodIssue } from 'zod/v4/core';

/** An issue's path as dotted text (`repos.0.path`), or `root` for the value itself. */
export function issuePath(issue: Pick<$ZodIssue, 'path'>, root = '(top level)'): string {
  return issue.path.map(String).join('.') || root;
}

/** How {@link formatIssueLines} words each issue. */
export interface IssueWording {
  /** What the value itself is called, for an issue at its top (default `(top level)`). */
  root?: string;
  /** One issue's line from its path and message (default `<path>: <message>`). */
  line?: (path: string, message: string) => string;
}

/** zod's issues as one line each, in the order zod found them. */
export function formatIssueLines(issues: readonly $ZodIssue[], wording: IssueWording | string = {}): string[] {
  const { root, line = (path: string, message: string) => `${path}: ${message}` } = typeof wording === 'string' ? { root: wording } : wording;
  return issues.map((issue) => line(issuePath(issue, root), issue.message));
}

/** zod's issues as one sentence: {@link formatIssueLines} joined by `; `. */
export function formatIssues(issues: readonly $ZodIssue[], wording?: IssueWording | string): string {
  return formatIssueLines(issues, wording).join('; ');
}
