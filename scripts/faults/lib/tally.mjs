// The suite's counters, its progress lines, and the failures it will name at the end.

/** `text` on one line, its control characters escaped. */
export function printable(text) {
  return [...String(text)].map((char) => (char.charCodeAt(0) < 0x20 || char.charCodeAt(0) === 0x7f ? `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}` : char)).join('');
}

/** Counts faults and bad inputs as scenarios run them; prints one progress line each. */
export class Tally {
  faultsInjected = 0;
  faultsSurvived = 0;
  badInputsTried = 0;
  badInputsHandled = 0;
  /** Slugs registered before a fault or a bad input and missing after it. */
  lostRepos = new Set();
  leftBehind = 0;
  /** `{group, kind, name, message}` of everything that did not hold. */
  failures = [];
  /** Things worth knowing that are not failures. */
  notes = [];
  /** Figures of the load scenarios (set by them). */
  load = {};
  group = '';
  #perGroup = new Map();

  /** Starts a scenario group: its name prefixes what follows. */
  begin(group, title = '') {
    this.group = group;
    this.#perGroup.set(group, { faults: 0, survived: 0, inputs: 0, handled: 0 });
    console.log(`\n== ${group}${title === '' ? '' : ` — ${title}`}`);
  }

  /** Runs one injected fault; it survived when `run` resolves (with an optional detail to print). */
  async fault(name, run) {
    this.faultsInjected += 1;
    this.#count('faults');
    try {
      const detail = await run();
      this.faultsSurvived += 1;
      this.#count('survived');
      console.log(`  ok    fault  ${printable(name)}${detail ? `: ${printable(detail)}` : ''}`);
      return true;
    } catch (error) {
      this.#failed('fault', name, error);
      return false;
    }
  }

  /** Runs one bad input; it was handled when `run` resolves (documented error seen, nothing lost, pids kept). */
  async badInput(name, run) {
    this.badInputsTried += 1;
    this.#count('inputs');
    try {
      const detail = await run();
      this.badInputsHandled += 1;
      this.#count('handled');
      console.log(`  ok    input  ${printable(name)}${detail ? `: ${printable(detail)}` : ''}`);
      return true;
    } catch (error) {
      this.#failed('input', name, error);
      return false;
    }
  }

  /** Records a step that broke outside any one fault or input (set-up, a whole group). */
  broken(name, error) {
    this.#failed('step', name, error);
  }

  /** Records slugs that were registered and are gone. */
  lost(where, slugs) {
    const fresh = slugs.filter((slug) => !this.lostRepos.has(`${this.group}:${slug}`));
    for (const slug of fresh) this.lostRepos.add(`${this.group}:${slug}`);
    if (fresh.length > 0) this.failures.push({ group: this.group, kind: 'lost', name: where, message: `registered repos lost: ${fresh.join(', ')}` });
  }

  /** Prints and keeps a note. */
  note(text) {
    this.notes.push(`${this.group}: ${text}`);
    console.log(`  note  ${text}`);
  }

  /** Prints a progress line. */
  progress(text) {
    console.log(`  ..    ${text}`);
  }

  /** Per-group counts, for the table. */
  groups() {
    return [...this.#perGroup.entries()];
  }

  #count(key) {
    const counts = this.#perGroup.get(this.group);
    if (counts !== undefined) counts[key] += 1;
  }

  #failed(kind, name, error) {
    const message = printable(error instanceof Error ? error.message : String(error));
    this.failures.push({ group: this.group, kind, name, message });
    console.log(`  FAIL  ${kind === 'input' ? 'input ' : kind === 'fault' ? 'fault ' : 'step  '} ${name}: ${message}`);
  }
}
