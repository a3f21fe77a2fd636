import type { ManagedRepo } from '../manager/managed-repo.js';
import type { RepoView } from '../manager/repo-record.js';

// The one field that changes with the clock alone; every other field changes with an event.
const UPTIME_KEY = 'uptime_seconds';
const UPTIME_MARK = `,"${UPTIME_KEY}":0,`;
const OPEN = Buffer.from('{"repos":[');
const CLOSE = Buffer.from(']}');
const COMMA = 0x2c;

/** A repo's entry serialized around its uptime: `head + uptime + tail` is `JSON.stringify(view)`, here as UTF-8 bytes. */
interface Fragment {
  view: RepoView;
  head: Buffer;
  tail: Buffer;
}

/**
 * The JSON body of `GET /api/repos`, byte for byte what `JSON.stringify({repos:
 * manager.list()})` gives, built from each repo's serialized entry. An entry is
 * serialized again only when a field of its view other than `uptime_seconds`
 * changed (state, pid, probe, runtime, …), which the repo tells field by field
 * without building a view (`ManagedRepo.sameView`), so no code path that changes
 * a repo needs to remember to invalidate anything; the uptime, which moves with
 * the clock, is written fresh into every answer. An answer is written as bytes
 * into one buffer: it allocates next to nothing on the V8 heap, so a supervisor
 * polled hard keeps a small young generation cheap.
 */
export class ReposListing {
  private readonly fragments = new WeakMap<ManagedRepo, Fragment>();
  // Reused between answers: each repo's entry and uptime, as written.
  private readonly entries: Fragment[] = [];
  private readonly uptimes: string[] = [];

  /** `{"repos":[…]}` for `repos`, in their order. */
  json(repos: readonly ManagedRepo[]): string {
    return this.bytes(repos, (size) => Buffer.allocUnsafe(size)).toString('utf8');
  }

  /**
   * The same body as UTF-8 bytes, written at the start of a buffer that
   * `allocate` gives for its size (at least that many bytes): the answer is
   * that buffer's first bytes. No string of the whole body is made.
   */
  bytes(repos: readonly ManagedRepo[], allocate: (size: number) => Buffer): Buffer {
    const { entries, uptimes } = this;
    entries.length = repos.length;
    uptimes.length = repos.length;
    let size = OPEN.length + CLOSE.length + Math.max(0, repos.length - 1);
    for (let index = 0; index < repos.length; index += 1) {
      const repo = repos[index] as ManagedRepo;
      let fragment = this.fragments.get(repo);
      if (fragment === undefined || !repo.sameView(fragment.view)) {
        fragment = split(repo.view());
        this.fragments.set(repo, fragment);
      }
      // A finite number is written by JSON.stringify exactly as String() writes it.
      const uptime = repo.uptimeSeconds;
      const written = Number.isFinite(uptime) ? String(uptime) : 'null';
      entries[index] = fragment;
      uptimes[index] = written;
      size += fragment.head.length + written.length + fragment.tail.length;
    }
    const target = allocate(size);
    let at = OPEN.copy(target, 0);
    for (let index = 0; index < repos.length; index += 1) {
      const fragment = entries[index] as Fragment;
      if (index > 0) target[at++] = COMMA;
      at += fragment.head.copy(target, at);
      at += target.write(uptimes[index] as string, at, 'latin1');
      at += fragment.tail.copy(target, at);
    }
    at += CLOSE.copy(target, at);
    return target.subarray(0, at);
  }
}

function split(view: RepoView): Fragment {
  const json = JSON.stringify({ ...view, [UPTIME_KEY]: 0 });
  // Quotes inside string values are escaped, so the first unescaped `,"uptime_seconds":0,` is the key itself.
  const at = json.indexOf(UPTIME_MARK);
  if (at < 0) throw new Error(`A repo view without ${UPTIME_KEY} between other fields cannot be split: ${json}`);
  const cut = at + UPTIME_MARK.length - 2;
  return { view, head: Buffer.from(json.slice(0, cut), 'utf8'), tail: Buffer.from(json.slice(cut + 1), 'utf8') };
}
