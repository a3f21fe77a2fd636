import type { ManagedRepo } from '../manager/managed-repo.js';

// The one field that changes with the clock alone; every other field changes with an event.
const UPTIME_MARK = ',"uptime_seconds":0,';

/** A repo's entry as `JSON.stringify` writes it, cut around its uptime, for the view of `version`. */
interface Entry {
  version: number;
  head: string;
  tail: string;
}

/**
 * The JSON body of `GET /api/repos`, what `JSON.stringify({repos:
 * manager.list()})` gives. Each repo's entry is kept as serialized, and
 * serialized again only when the repo's dirty flag (`ManagedRepo.viewVersion`)
 * says its view changed; the uptime, which moves with the clock, is written
 * fresh into every answer.
 */
export class ReposListing {
  private readonly entries = new WeakMap<ManagedRepo, Entry>();

  /** `{"repos":[…]}` for `repos`, in their order. */
  json(repos: readonly ManagedRepo[]): string {
    let body = '{"repos":[';
    for (const [index, repo] of repos.entries()) {
      let entry = this.entries.get(repo);
      if (entry === undefined || entry.version !== repo.viewVersion) {
        entry = serialize(repo);
        this.entries.set(repo, entry);
      }
      // A finite number is written by JSON.stringify exactly as String() writes it.
      const uptime = repo.uptimeSeconds;
      body += `${index === 0 ? '' : ','}${entry.head}${Number.isFinite(uptime) ? String(uptime) : 'null'}${entry.tail}`;
    }
    return `${body}]}`;
  }
}

function serialize(repo: ManagedRepo): Entry {
  const version = repo.viewVersion;
  const json = JSON.stringify({ ...repo.view(), uptime_seconds: 0 });
  // Quotes inside string values are escaped, so the first unescaped `,"uptime_seconds":0,` is the key itself.
  const at = json.indexOf(UPTIME_MARK);
  if (at < 0) throw new Error(`A repo view without uptime_seconds between other fields cannot be cut: ${json}`);
  const cut = at + UPTIME_MARK.length - 2;
  return { version, head: json.slice(0, cut), tail: json.slice(cut + 1) };
}
