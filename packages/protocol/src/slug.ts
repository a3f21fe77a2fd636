import * as z from 'zod/mini';
import './zod-messages.js';

const SEGMENT = /^[A-Za-z0-9_][A-Za-z0-9._-]*$/;

/** Why a slug is not acceptable, or `undefined` when it is valid (`owner/repo` or `name`). */
export function slugProblem(slug: string): string | undefined {
  if (slug.length === 0) return 'must not be empty';
  if (slug.length > 200) return 'must be at most 200 characters';
  const parts = slug.split('/');
  if (parts.length > 2) return 'must be "owner/repo" or "name" (at most one "/")';
  for (const part of parts) {
    if (part === '') return 'must not have an empty owner or name';
    if (part.includes('..')) return 'must not contain ".."';
    if (part.startsWith('.')) return 'must not start a segment with "."';
    if (!SEGMENT.test(part)) return 'may contain only letters, digits, ".", "_" and "-"';
  }
  return undefined;
}

/** True when `slug` is a valid `owner/repo` or `name`. */
export function isValidSlug(slug: string): boolean {
  return slugProblem(slug) === undefined;
}

/** Zod schema of a valid slug, with the reason in its message. */
export const SlugSchema = z.string().check(
  z.superRefine((slug, ctx) => {
    const problem = slugProblem(slug);
    if (problem !== undefined) ctx.addIssue({ code: 'custom', message: `invalid slug "${slug}": ${problem}` });
  }),
);

/** The path-safe key of a slug: `owner/repo` becomes `owner-repo`. */
export function slugKey(slug: string): string {
  return slug.replace('/', '-');
}
