import { afterEach, describe, expect, it } from '@jest/globals';
import { mkdir, readFile, readdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { TaskStore } from '../src/pipeline/tasks/task-store.js';
import type { TaskStoreLogger } from '../src/pipeline/tasks/task-store.js';
import type { Task } from '../src/pipeline/tasks/task.js';
import { ChildProcesses } from '../../../tests/helpers/child-processes.js';
import { REPO_ROOT } from '../../../tests/helpers/paths.js';
import { TempDirs } from '../../../tests/helpers/temp-dir.js';
import { waitFor } from '../../../tests/helpers/wait-for.js';

const temp = new TempDirs();
const children = new ChildProcesses();
afterEach(async () => {
  await children.killAll();
  await temp.cleanup();
});

const CRASH_FIXTURE = join(REPO_ROOT, 'tests', 'fixtures', 'task-store-crash.mjs');

/** A logger that keeps what it was told. */
function recordingLogger(): TaskStoreLogger & { lines: { level: string; fields: Record<string, unknown>; message: string }[] } {
  const lines: { level: string; fields: Record<string, unknown>; message: string }[] = [];
  return {
    lines,
    warn: (fields, message) => lines.push({ level: 'warn', fields: fields as Record<string, unknown>, message }),
    error: (fields, message) => lines.push({ level: 'error', fields: fields as Record<string, unknown>, message }),
  };
}

async function created(store: TaskStore, title: string): Promise<Task> {
  const result = await store.create({ title, body: `The body of ${title}.`, labels: ['demo'] });
  if (!result.ok) throw new Error(result.message);
  return result.task;
}

describe('TaskStore', () => {
  it('creates tasks with ids 1, 2, 3 as private files, and loads them back after a restart', async () => {
    const dataRoot = await temp.make();
    const store = await TaskStore.load({ dataRoot, logger: recordingLogger() });
    const tasks = await Promise.all(['first', 'second', 'third'].map((title) => created(store, title)));
    expect(tasks.map((task) => task.id).sort()).toEqual([1, 2, 3]);
    expect(tasks[0]).toMatchObject({ stage: 'triage', status: 'queued', branch: `agent/issue-${tasks[0]?.id}`, labels: ['demo'] });
    expect((await readdir(join(dataRoot, 'tasks'))).sort()).toEqual(['1.json', '2.json', '3.json']);
    expect((await stat(join(dataRoot, 'tasks', '1.json'))).mode & 0o777).toBe(0o600);
    expect((await stat(join(dataRoot, 'tasks'))).mode & 0o777).toBe(0o700);
    const again = await TaskStore.load({ dataRoot, logger: recordingLogger() });
    expect(again.list()).toEqual(store.list());
    expect((await created(again, 'fourth')).id).toBe(4);
  });

  it("stores a task under the source's own number once, and later ids come after it", async () => {
    const dataRoot = await temp.make();
    const store = await TaskStore.load({ dataRoot, logger: recordingLogger() });
    const first = await store.createAt(42, { title: 'Issue 42', body: 'from GitHub' });
    expect(first).toMatchObject({ ok: true, created: true, task: { id: 42, stage: 'triage', branch: 'agent/issue-42' } });
    const again = await store.createAt(42, { title: 'Renamed', body: 'ignored' });
    expect(again).toMatchObject({ ok: true, created: false, task: { id: 42, title: 'Issue 42' } });
    expect(await store.createAt(0, { title: 'x', body: '' })).toMatchObject({ ok: false, code: 'invalid' });
    expect(await store.createAt(7, { body: 'no title' })).toMatchObject({ ok: false, code: 'invalid' });
    expect((await created(store, 'next')).id).toBe(43);
    expect((await TaskStore.load({ dataRoot, logger: recordingLogger() })).get(42)?.title).toBe('Issue 42');
  });

  it('saves a task, later saves of one task after earlier ones, and answers copies', async () => {
    const dataRoot = await temp.make();
    const store = await TaskStore.load({ dataRoot, logger: recordingLogger() });
    const task = await created(store, 'a task');
    await Promise.all(Array.from({ length: 20 }, (_, index) => store.save({ ...task, title: `title ${index}` })));
    expect(store.get(task.id)?.title).toBe('title 19');
    const onDisk = JSON.parse(await readFile(join(dataRoot, 'tasks', `${task.id}.json`), 'utf8')) as Task;
    expect(onDisk.title).toBe('title 19');
    const copy = store.get(task.id);
    if (copy === undefined) throw new Error('no task');
    copy.title = 'changed in place';
    expect(store.get(task.id)?.title).toBe('title 19');
    expect(store.get(99)).toBeUndefined();
    expect(await readdir(join(dataRoot, 'tasks'))).toEqual(['1.json']);
  });

  it('refuses to save a task it does not have, or one that is not a valid task', async () => {
    const store = await TaskStore.load({ dataRoot: await temp.make(), logger: recordingLogger() });
    const task = await created(store, 'a task');
    expect(() => store.save({ ...task, id: 5 })).toThrow('task 5 is not in');
    expect(() => store.save({ ...task, stage: 'nowhere' as Task['stage'] })).toThrow('task 1 is not a valid task');
  });

  it('refuses an invalid new task with every problem, and one over the size limit as too large', async () => {
    const store = await TaskStore.load({ dataRoot: await temp.make(), logger: recordingLogger() });
    expect(await store.create({ title: '', body: 3 })).toEqual({
      ok: false,
      code: 'invalid',
      message: 'the new task is not valid: title: empty; give a short summary of the task; body: missing; give a string (it may be empty)',
    });
    expect(await store.create({ title: 'ok', body: 'x'.repeat(64 * 1024 + 1) })).toMatchObject({ ok: false, code: 'too_large' });
    expect(store.list()).toEqual([]);
    expect((await created(store, 'then a valid one')).id).toBe(1);
  });

  it('moves a torn, a corrupt and a mismatched file aside with a logged reason, loads the others, and never reuses their ids', async () => {
    const dataRoot = await temp.make();
    const first = await TaskStore.load({ dataRoot, logger: recordingLogger() });
    for (const title of ['one', 'two', 'three', 'four', 'five']) await created(first, title);
    const folder = join(dataRoot, 'tasks');
    const whole = await readFile(join(folder, '2.json'), 'utf8');
    await writeFile(join(folder, '2.json'), whole.slice(0, whole.length / 2));
    await writeFile(join(folder, '3.json'), JSON.stringify({ ...JSON.parse(whole), stage: 'somewhere' }));
    await writeFile(join(folder, '5.json'), await readFile(join(folder, '4.json'), 'utf8'));
    const logger = recordingLogger();
    const store = await TaskStore.load({ dataRoot, logger });
    expect(store.list().map((task) => task.id)).toEqual([1, 4]);
    expect(logger.lines.map((line) => [line.level, line.fields.path, line.fields.reason])).toEqual([
      ['warn', join(folder, '2.json'), expect.stringMatching(/^not JSON: /)],
      ['warn', join(folder, '3.json'), expect.stringContaining('stage')],
      ['warn', join(folder, '5.json'), 'holds task 4, not task 5 as its name says'],
    ]);
    const aside = await readdir(join(folder, 'corrupt'));
    expect(aside.map((name) => name.split('.json.')[0]).sort()).toEqual(['2', '3', '5']);
    expect(await readFile(join(folder, 'corrupt', aside.find((name) => name.startsWith('2.json.')) ?? ''), 'utf8')).toBe(whole.slice(0, whole.length / 2));
    // The highest id was moved aside: the next task is 6, after a restart too.
    expect((await created(store, 'six')).id).toBe(6);
    await writeFile(join(folder, '6.json'), 'not json');
    const later = await TaskStore.load({ dataRoot, logger: recordingLogger() });
    expect(later.list().map((task) => task.id)).toEqual([1, 4]);
    expect((await created(later, 'seven')).id).toBe(7);
  });

  it('leaves files that are not task files alone, with a warning', async () => {
    const dataRoot = await temp.make();
    await mkdir(join(dataRoot, 'tasks'));
    await writeFile(join(dataRoot, 'tasks', 'notes.txt'), 'mine');
    const logger = recordingLogger();
    const store = await TaskStore.load({ dataRoot, logger });
    expect(logger.lines).toEqual([{ level: 'warn', fields: { path: join(dataRoot, 'tasks', 'notes.txt') }, message: expect.stringContaining('not a task file') }]);
    expect((await created(store, 'one')).id).toBe(1);
    expect((await readdir(join(dataRoot, 'tasks'))).sort()).toEqual(['1.json', 'notes.txt']);
  });

  it('keeps the old task file whole when the worker is killed between the write of a save and its rename, and removes the leftover at the next load', async () => {
    const dataRoot = await temp.make();
    const store = await TaskStore.load({ dataRoot, logger: recordingLogger() });
    const task = await created(store, 'the old title');
    const before = await readFile(join(dataRoot, 'tasks', '1.json'), 'utf8');
    const child = children.start(process.execPath, [CRASH_FIXTURE, dataRoot, '1', 'the new title']);
    const temporary = await waitFor('the save to pause before its rename', () => {
      if (child.child.exitCode !== null) throw new Error(`the fixture exited ${child.child.exitCode}: ${child.stderr()}`);
      return /paused before rename (\S+)/.exec(child.stdout())?.[1];
    });
    process.kill(child.pid, 'SIGKILL');
    await child.exited;
    // The new content is whole in the temporary file; the task file was never touched.
    expect(JSON.parse(await readFile(temporary, 'utf8'))).toMatchObject({ id: 1, title: 'the new title' });
    expect(await readFile(join(dataRoot, 'tasks', '1.json'), 'utf8')).toBe(before);
    const logger = recordingLogger();
    const again = await TaskStore.load({ dataRoot, logger });
    expect(again.get(1)).toEqual(task);
    expect(logger.lines).toEqual([]);
    expect(await readdir(join(dataRoot, 'tasks'))).toEqual(['1.json']);
  });
});
