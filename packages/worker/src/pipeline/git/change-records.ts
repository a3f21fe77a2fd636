import { SerialQueue, parseJsonWith, writeFileAtomic } from '@repovisor/kit';
import { mkdir, readFile, readdir, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import * as z from 'zod/mini';
import { PRIVATE_FILE_MODE, PRIVATE_FOLDER_MODE } from '../../runtime/private-files.js';

const positive = z.int().check(z.minimum(1));

/** A change request of the local change host: `<data_root>/changes/<number>.json`. */
const ChangeRecordSchema = z.object({
  number: positive,
  task_id: positive,
  title: z.string(),
  branch: z.string().check(z.minLength(1)),
  base_branch: z.string().check(z.minLength(1)),
  state: z.enum(['open', 'merged']),
  /** The record's own file, as a `file:` URL (the task's `change.url`). */
  url: z.string(),
  created_at: z.string(),
  merged_at: z.nullable(z.string()),
  /** The squash commit on the base branch; null when the branch brought nothing the base lacked. */
  merge_commit: z.nullable(z.string()),
});
/** A change request record. */
export type ChangeRecord = z.infer<typeof ChangeRecordSchema>;

/** What a change request is opened for. */
export interface ChangeRequest {
  taskId: number;
  title: string;
  branch: string;
  baseBranch: string;
}

const RECORD_NAME = /^(\d+)\.json$/;

/**
 * The change records of one data root, exactly one per task: opening a
 * change for a task that has one returns that one, so a worker that died
 * between pushing and recording opens it once on resume. Records are written
 * atomically (mode 0600), one at a time; an unreadable one is moved aside
 * (`<n>.json.corrupt-<ms>`) and told to `onCorrupt`, and the others are kept.
 */
export class ChangeRecords {
  private readonly folder: string;
  private readonly writes = new SerialQueue();
  private loaded: Map<number, ChangeRecord> | undefined;

  constructor(
    dataRoot: string,
    private readonly onCorrupt: (movedTo: string, reason: string) => void = () => undefined,
  ) {
    this.folder = join(dataRoot, 'changes');
  }

  /** The record of task `taskId`'s change, or undefined when none was opened. */
  async forTask(taskId: number): Promise<ChangeRecord | undefined> {
    await this.writes.idle();
    return [...(await this.records()).values()].find((record) => record.task_id === taskId);
  }

  /** Opens the change of `request.taskId`, or returns the one it has; `created` tells which. */
  open(request: ChangeRequest): Promise<{ record: ChangeRecord; created: boolean }> {
    return this.writes.run(async () => {
      const records = await this.records();
      const existing = [...records.values()].find((record) => record.task_id === request.taskId);
      if (existing !== undefined) return { record: existing, created: false };
      const number = Math.max(0, ...records.keys()) + 1;
      const record: ChangeRecord = {
        number,
        task_id: request.taskId,
        title: request.title,
        branch: request.branch,
        base_branch: request.baseBranch,
        state: 'open',
        url: pathToFileURL(this.pathOf(number)).href,
        created_at: new Date().toISOString(),
        merged_at: null,
        merge_commit: null,
      };
      await this.write(records, record);
      return { record, created: true };
    });
  }

  /** Marks change `number` merged by `commit`; resolves with the record as written. */
  markMerged(number: number, commit: string | null): Promise<ChangeRecord> {
    return this.writes.run(async () => {
      const records = await this.records();
      const record = records.get(number);
      if (record === undefined) throw new Error(`no change record ${number} in ${this.folder}`);
      if (record.state === 'merged') return record;
      const merged: ChangeRecord = { ...record, state: 'merged', merged_at: new Date().toISOString(), merge_commit: commit };
      await this.write(records, merged);
      return merged;
    });
  }

  private pathOf(number: number): string {
    return join(this.folder, `${number}.json`);
  }

  private async write(records: Map<number, ChangeRecord>, record: ChangeRecord): Promise<void> {
    await mkdir(this.folder, { recursive: true, mode: PRIVATE_FOLDER_MODE });
    await writeFileAtomic(this.pathOf(record.number), `${JSON.stringify(record, null, 2)}\n`, { mode: PRIVATE_FILE_MODE });
    records.set(record.number, record);
  }

  // Read once: this worker is the only writer of its data root.
  private async records(): Promise<Map<number, ChangeRecord>> {
    if (this.loaded !== undefined) return this.loaded;
    const records = new Map<number, ChangeRecord>();
    const names = await readdir(this.folder).catch((error: unknown) => {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [] as string[];
      throw error;
    });
    for (const name of names) {
      const number = RECORD_NAME.exec(name)?.[1];
      if (number === undefined) continue;
      const path = join(this.folder, name);
      const parsed = parseJsonWith(await readFile(path, 'utf8'), ChangeRecordSchema);
      if (parsed.ok && parsed.value.number === Number(number)) {
        records.set(parsed.value.number, parsed.value);
        continue;
      }
      const aside = `${path}.corrupt-${Date.now()}`;
      await rename(path, aside);
      this.onCorrupt(aside, parsed.ok ? `it says it is change ${parsed.value.number}` : parsed.reason);
    }
    this.loaded = records;
    return records;
  }
}
