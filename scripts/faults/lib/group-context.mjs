// What a scenario group gets: its folder, the suite's processes, and a clean end that counts what stayed behind.
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { killGroup, pidsUnder } from './processes.mjs';
import { Supervisor } from './supervisor.mjs';
import { sleep } from './wait.mjs';

/** Gives a scenario group a folder and supervisors, and ends them all in {@link GroupContext.finish}. */
export class GroupContext {
  #supervisors = [];
  #folders = [];
  /** Longest grace_ms this group gave its workers: orphans may live that long by design. */
  graceMs = 0;

  constructor(tally, processes, root, options) {
    Object.assign(this, { tally, processes, root, options });
  }

  /** A new folder `<root>/<name>`. */
  async folder(name) {
    const path = join(this.root, name);
    await mkdir(path, { recursive: true });
    this.#folders.push(path);
    return path;
  }

  /** Starts a supervisor this group owns; `graceMs` is the grace_ms of its configuration. */
  async supervisor(file, home, graceMs = 20_000) {
    this.graceMs = Math.max(this.graceMs, graceMs);
    const started = await Supervisor.start(this.processes, file, home);
    this.#supervisors.push(started);
    return started;
  }

  /**
   * Stops every supervisor of the group the operator's way (SIGTERM; it must exit 0),
   * then counts processes still running under the group's folders as left behind
   * (after giving orphans of a killed supervisor their documented grace) and kills them.
   */
  async finish() {
    for (const supervisor of this.#supervisors.splice(0)) {
      if (!supervisor.child.running()) continue;
      const exit = await supervisor.stop();
      if (exit.code !== 0) this.tally.broken('clean stop of the supervisor', new Error(`SIGTERM gave exit ${JSON.stringify(exit)}, expected code 0; stderr: ${supervisor.child.stderr().slice(-500)}`));
    }
    for (const folder of this.#folders.splice(0)) {
      let pids = await pidsUnder(folder);
      if (pids.length > 0) {
        // Workers whose supervisor died exit by themselves after grace_ms; anything older than that is left behind.
        const until = Date.now() + this.graceMs + 15_000;
        this.tally.progress(`${pids.length} process(es) still under ${folder} after the supervisors stopped; allowing the grace of ${this.graceMs} ms`);
        while (pids.length > 0 && Date.now() < until) {
          await sleep(250);
          pids = await pidsUnder(folder);
        }
        if (pids.length === 0) this.tally.note(`orphaned workers under ${folder} exited by themselves within the grace`);
      }
      if (pids.length > 0) {
        this.tally.leftBehind += pids.length;
        this.tally.broken('processes left behind', new Error(`${pids.length} process(es) under ${folder} outlived their supervisor and the grace: pids ${pids.join(', ')}`));
        for (const pid of pids) killGroup(pid);
      }
    }
  }
}
