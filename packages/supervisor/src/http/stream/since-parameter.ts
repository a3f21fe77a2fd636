/** The `since` of a supervisor `/ws` URL: one id for every repo in scope, per-repo ids, or a reason it is neither. */
export type SinceParameter = { ok: true; all: number | undefined; perRepo: Map<string, number> } | { ok: false; reason: string };

/**
 * Parses `since`: absent, a whole number (`since=42`, for a single repo), or
 * per repo, `since=<slug>:<id>,<slug>:<id>` (for `__all__`; a repo not named
 * gets its recent history).
 */
export function parseSince(value: string | null): SinceParameter {
  const perRepo = new Map<string, number>();
  if (value === null || value === '') return { ok: true, all: undefined, perRepo };
  if (/^\d{1,15}$/.test(value)) return { ok: true, all: Number(value), perRepo };
  for (const part of value.split(',')) {
    const colon = part.lastIndexOf(':');
    const id = part.slice(colon + 1);
    if (colon <= 0 || !/^\d{1,15}$/.test(id)) {
      return { ok: false, reason: `since must be an event id or <slug>:<id>,…, not ${JSON.stringify(part.slice(0, 40))}` };
    }
    perRepo.set(part.slice(0, colon), Number(id));
  }
  return { ok: true, all: undefined, perRepo };
}
