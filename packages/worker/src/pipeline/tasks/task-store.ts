import { mkdir, readFile, readdir, rename, unlink } from '@repovisor/kit/promised-fs';
import { join } from 'node:path';
import { SerialQueue, parseJsonWith, writeFileAtomic } from '@repovisor/kit';
import type { Result } from '@repovisor/kit';
import { PRIVATE_FILE_MODE, PRIVATE_FOLDER_MODE } from '../../runtime/private-files.js';
import { TaskSchema, newTask } from './task.js';
import type { Task } from './task.js';
import { validateNewTask } from './task-input.js';
import type { NewTaskRefusal } from './task-input.js';

/** What the store logs through (the worker's logger satisfies it). */
export interface TaskStoreLogger {
  warn(fields: object, message: string): void;
  error(fields: object, message: string): void;
}

/** Options of {@link TaskStore.load}. */
export interface TaskStoreOptions {
  /** The worker's data root; the tasks live in its `tasks/`. */
  dataRoot: string;
  logger: TaskStoreLogger;
}

const TASK_FILE = /^(\d+)\.json$/;
// writeFileAtomic's temporary files: `.<name>.<pid>.<n>.tmp`.
const TEMPORARY_FILE = /^\.\d+\.json\.(\d+)\.\d+\.tmp$/;
// A moved-aside file keeps its name in front, so its id is never given again.
const ASIDE_FILE = /^(\d+)\.json\./;

/**
 * The tasks of one repo, one JSON file each at `<data_root>/tasks/<id>.json`,
 * written atomically (mode 0600), one write at a time per task. A file that
 * cannot be read back as the task its name says is moved into `tasks/corrupt/`
 * with a logged reason, and the other tasks load; its id is never reused.
 */
export class TaskStore {
  /** The folder of the task files. */
  readonly folder: string;
  private readonly tasks = new Map<number, Task>();
  private readonly writes = new Map<number, SerialQueue>();
  private nextId = 1;

  private constructor(folder: string) {
    this.folder = folder;
  }

  /** Reads every task file in `<data_root>/tasks/` (made when missing). */
  static async load(options: TaskStoreOptions): Promise<TaskStore> {
    const store = new TaskStore(join(options.dataRoot, 'tasks'));
    await mkdir(store.folder, { recursive: true, mode: PRIVATE_FOLDER_MODE });
    let highest = await highestAsideId(join(store.folder, 'corrupt'));
    for (const name of (await readdir(store.folder)).sort()) {
      const id = Number(TASK_FILE.exec(name)?.[1] ?? Number.NaN);
      if (Number.isInteger(id)) {
        highest = Math.max(highest, id);
        const task = await store.readTask(name, id, options.logger);
        if (task !== undefined) store.tasks.set(id, task);
      } else if (TEMPORARY_FILE.test(name)) {
        await removeLeftover(join(store.folder, name), options.logger);
      } else if (name !== 'corrupt') {
        options.logger.warn({ path: join(store.folder, name) }, 'ignored a file in the tasks folder that is not a task file (<id>.json)');
      }
    }
    store.nextId = highest + 1;
    return store;
  }

  /** The task `id`, or undefined when there is none (a copy). */
  get(id: number): Task | undefined {
    const task = this.tasks.get(id);
    return task && structuredClone(task);
  }

  /** Every task, by id (copies). */
  list(): Task[] {
    return [...this.tasks.values()].sort((a, b) => a.id - b.id).map((task) => structuredClone(task));
  }

  /** Checks `input` ({title, body, labels?}) and stores it as a new task at triage with the next id; resolves once it is on disk. */
  async create(input: unknown, now = new Date()): Promise<Result<{ task: Task }, NewTaskRefusal>> {
    const checked = validateNewTask(input);
    if (!checked.ok) return checked;
    // Taken before the write, so that concurrent creates get different ids; a failed write burns its id.
    const id = this.nextId;
    this.nextId += 1;
    const task = newTask(id, checked.task, now);
    await this.write(task);
    return { ok: true, task: structuredClone(task) };
  }

  /**
   * Stores a task the source numbered itself (a GitHub issue: `id` is its
   * number) at triage, or resolves with the one stored under `id` already;
   * later {@link create}s never take an id at or below it.
   */
  async createAt(id: number, input: unknown, now = new Date()): Promise<Result<{ task: Task; created: boolean }, NewTaskRefusal>> {
    if (!Number.isInteger(id) || id < 1) return { ok: false, code: 'invalid', message: `a task id must be a whole number from 1, got ${id}` };
    const existing = this.get(id);
    if (existing !== undefined) return { ok: true, task: existing, created: false };
    const checked = validateNewTask(input);
    if (!checked.ok) return checked;
    this.nextId = Math.max(this.nextId, id + 1);
    const task = newTask(id, checked.task, now);
    await this.write(task);
    return { ok: true, task: structuredClone(task), created: true };
  }

  /** Persists `task` (a task of this store), after the writes of it queued before; `get` answers it once this resolves. */
  save(task: Task): Promise<void> {
    if (!this.tasks.has(task.id)) throw new Error(`task ${task.id} is not in ${this.folder}: create a task before saving it`);
    const checked = TaskSchema.safeParse(task);
    if (!checked.success) throw new Error(`task ${task.id} is not a valid task, so it was not saved: ${checked.error.message}`);
    return this.write(checked.data);
  }

  private write(task: Task): Promise<void> {
    let queue = this.writes.get(task.id);
    if (queue === undefined) {
      queue = new SerialQueue();
      this.writes.set(task.id, queue);
    }
    const text = `${JSON.stringify(task, null, 2)}\n`;
    return queue.run(async () => {
      await writeFileAtomic(join(this.folder, `${task.id}.json`), text, { mode: PRIVATE_FILE_MODE });
      this.tasks.set(task.id, structuredClone(task));
    });
  }

  private async readTask(name: string, id: number, logger: TaskStoreLogger): Promise<Task | undefined> {
    const path = join(this.folder, name);
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (error) {
      return this.moveAside(name, `unreadable: ${(error as Error).message}`, logger);
    }
    const parsed = parseJsonWith(text, TaskSchema);
    if (!parsed.ok) return this.moveAside(name, parsed.reason, logger);
    if (parsed.value.id !== id) return this.moveAside(name, `holds task ${parsed.value.id}, not task ${id} as its name says`, logger);
    return parsed.value;
  }

  private async moveAside(name: string, reason: string, logger: TaskStoreLogger): Promise<undefined> {
    const from = join(this.folder, name);
    const aside = join(this.folder, 'corrupt');
    const to = join(aside, `${name}.${new Date().toISOString().replace(/[:.]/g, '-')}`);
    try {
      await mkdir(aside, { recursive: true, mode: PRIVATE_FOLDER_MODE });
      await rename(from, to);
      logger.warn({ path: from, moved_to: to, reason }, 'a task file is torn or corrupt: moved it aside, the other tasks carry on');
    } catch (error) {
      logger.error({ path: from, reason, error: (error as Error).message }, 'a task file is torn or corrupt and could not be moved aside: left it in place and skipped it');
    }
    return undefined;
  }
}

/** The highest id of the files moved aside into `folder` (0 when none). */
async function highestAsideId(folder: string): Promise<number> {
  const names = await readdir(folder).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return [];
    throw error;
  });
  return names.reduce((highest, name) => Math.max(highest, Number(ASIDE_FILE.exec(name)?.[1] ?? 0)), 0);
}

/** Removes an atomic write's temporary file when the process that wrote it is gone (its target file is whole either way). */
async function removeLeftover(path: string, logger: TaskStoreLogger): Promise<void> {
  const pid = Number(TEMPORARY_FILE.exec(path.slice(path.lastIndexOf('/') + 1))?.[1]);
  if (pid === process.pid || isRunning(pid)) return;
  await unlink(path).catch((error: unknown) => logger.warn({ path, error: (error as Error).message }, 'could not remove the leftover of an interrupted task write'));
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
