import type { $ZodIssue } from 'zod/v4/core';

/** An issue's path as dotted text (`repos.0.path`), or `root` for the value itself. */
export function issuePath(issue: Pick<$ZodIssue, 'path'>, root = '(top level)'): string {
  return issue.path.map(String).join('.') || root;
}

/**
 * zod's issues as one line each, `<path>: <message>`, in the order zod found
 * them; `root` names the value itself (default `(top level)`).
 */
export function formatIssueLines(issues: readonly $ZodIssue[], root?: string): string[] {
  return issues.map((issue) => `${issuePath(issue, root)}: ${issue.message}`);
}

/** zod's issues as one sentence: {@link formatIssueLines} joined by `; `. */
export function formatIssues(issues: readonly $ZodIssue[], root?: string): string {
  return formatIssueLines(issues, root).join('; ');
}
