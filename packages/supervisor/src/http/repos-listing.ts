import type { ManagedRepo } from '../manager/managed-repo.js';
import type { RepoView } from '../manager/repo-record.js';

// The one field that changes with the clock alone; every other field changes with an event.
const UPTIME_KEY = 'uptime_seconds';
const UPTIME_MARK = `,"${UPTIME_KEY}":0,`;

/** A repo's entry serialized around its uptime: `head + uptime + tail` is `JSON.stringify(view)`. */
interface Fragment {
  view: RepoView;
  head: string;
  tail: string;
}

/**
 * The JSON body of `GET /api/repos`, byte for byte what `JSON.stringify({repos:
 * manager.list()})` gives, built from each repo's serialized entry. An entry is
 * serialized again only when a field of its view other than `uptime_seconds`
 * changed (state, pid, probe, runtime, …); the uptime, which moves with the
 * clock, is written fresh into every answer. Views are compared field by field
 * (the key order of a view is fixed by `ManagedRepo.view`), so no code path that
 * changes a repo needs to remember to invalidate anything.
 */
export class ReposListing {
  private readonly fragments = new WeakMap<ManagedRepo, Fragment>();

  /** `{"repos":[…]}` for `repos`, in their order. */
  json(repos: readonly ManagedRepo[]): string {
    let body = '{"repos":[';
    for (let index = 0; index < repos.length; index += 1) {
      if (index > 0) body += ',';
      body += this.entry(repos[index] as ManagedRepo);
    }
    return `${body}]}`;
  }

  /** One repo's entry, as `JSON.stringify(repo.view())`. */
  entry(repo: ManagedRepo): string {
    const view = repo.view();
    let fragment = this.fragments.get(repo);
    if (fragment === undefined || !sameExceptUptime(fragment.view, view)) {
      fragment = split(view);
      this.fragments.set(repo, fragment);
    }
    // A finite number is written by JSON.stringify exactly as String() writes it.
    const uptime = view.uptime_seconds;
    return fragment.head + (Number.isFinite(uptime) ? String(uptime) : 'null') + fragment.tail;
  }
}

function split(view: RepoView): Fragment {
  const json = JSON.stringify({ ...view, [UPTIME_KEY]: 0 });
  // Quotes inside string values are escaped, so the first unescaped `,"uptime_seconds":0,` is the key itself.
  const at = json.indexOf(UPTIME_MARK);
  if (at < 0) throw new Error(`A repo view without ${UPTIME_KEY} between other fields cannot be split: ${json}`);
  const cut = at + UPTIME_MARK.length - 2;
  return { view, head: json.slice(0, cut), tail: json.slice(cut + 1) };
}

type Same<T> = (a: T, b: T) => boolean;
const same = <T>(a: T, b: T): boolean => a === b;

// One comparison per field of RepoView; the type makes a new field fail to compile until it is listed.
const SAME_FIELD: { [K in keyof RepoView]: Same<RepoView[K]> } = {
  slug: same,
  path: same,
  status: same,
  pid: same,
  restarts: same,
  uptime_seconds: () => true,
  last_error: same,
  last_probe: (a, b) => a === b || (a !== null && b !== null && a.ok === b.ok && a.latency_ms === b.latency_ms && a.at === b.at),
  runtime_url: same,
  autostart: same,
  http_port: same,
  source: same,
  added_at: same,
  runtime: (a, b) => a === b || (a !== null && b !== null && a.running === b.running && a.session_id === b.session_id),
  log_file: same,
};
const FIELDS = Object.entries(SAME_FIELD) as [keyof RepoView, Same<unknown>][];

function sameExceptUptime(a: RepoView, b: RepoView): boolean {
  for (const [key, equal] of FIELDS) if (!equal(a[key], b[key])) return false;
  return true;
}
