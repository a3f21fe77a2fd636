import { slugProblem } from '@repovisor/protocol';
import { deriveSlug, inspectRepoPath } from '../config/repo-identity.js';
import { newWorkerToken } from '../state/state-schema.js';
import type { RepoRecord } from './repo-record.js';
import type { Result } from '@repovisor/kit';

/** What an operator asks to register (`POST /api/repos`, a CLI action). */
export interface RepoRequest {
  path: string;
  slug?: string | undefined;
  autostart?: boolean | undefined;
  env?: Record<string, string> | undefined;
}

/** A new record, or why the request cannot make one. */
export type NewRecordResult = Result<{ record: RepoRecord }, { reason: 'path' | 'slug'; message: string }>;

/**
 * Checks a registration request (the path exists and is a git repository's
 * top level; the slug, given or derived from the origin remote or folder name,
 * is valid) and makes its record with a fresh worker token.
 */
export async function newRepoRecord(request: RepoRequest, source: RepoRecord['source']): Promise<NewRecordResult> {
  const inspected = await inspectRepoPath(request.path);
  if (!inspected.ok) return { ok: false, reason: 'path', message: inspected.message };
  let slug = request.slug;
  if (slug === undefined) {
    const derived = await deriveSlug(inspected.path);
    if (!derived.ok) return { ok: false, reason: 'slug', message: derived.message };
    slug = derived.slug;
  }
  const problem = slugProblem(slug);
  if (problem !== undefined) return { ok: false, reason: 'slug', message: `Invalid slug "${slug}": ${problem}` };
  return {
    ok: true,
    record: {
      slug,
      path: inspected.path,
      autostart: request.autostart ?? true,
      env: request.env ?? {},
      source,
      addedAt: new Date().toISOString(),
      token: newWorkerToken(),
      pid: null,
      pidStartTicks: null,
      httpPort: null,
    },
  };
}
