import { ApiClient } from './api-client.js';
import { findHome } from './find-home.js';
import type { HomeOptions } from './find-home.js';
import { hitlTable, taskReport, tasksTable } from './pipeline-tables.js';
import type { HitlItem, PipelineTask, TaskTranscript } from './pipeline-tables.js';
import { readTextOption } from './text-input.js';

// The commands of a repo's pipeline: each is a call to the worker's route,
// proxied by the supervisor under /api/repos/<slug>/…, whose 4xx messages
// (unknown task, not in hitl, pipeline not enabled) are shown as they are.

type JsonOption = HomeOptions & { json?: boolean };

function print(options: { json?: boolean }, value: unknown, text: () => string): void {
  process.stdout.write(options.json === true ? `${JSON.stringify(value, null, 2)}\n` : text());
}

async function clientFor(options: HomeOptions): Promise<ApiClient> {
  return ApiClient.forHome(await findHome(options));
}

/** `supervisor tasks <slug>`: the repo's tasks as a table (or JSON with --json). */
export async function tasksCommand(slug: string, options: JsonOption): Promise<void> {
  const { tasks } = await (await clientFor(options)).call<{ tasks: PipelineTask[] }>('GET', `/api/repos/${slug}/tasks`);
  print(options, tasks, () => tasksTable(tasks));
}

/** `supervisor task add <slug>`: creates a task (stage triage) from a title, a body and labels. */
export async function taskAddCommand(
  slug: string,
  options: JsonOption & { title: string; body?: string; bodyFile?: string; label?: string[] },
): Promise<void> {
  const body = await readTextOption({ flag: '--body', inline: options.body, file: options.bodyFile });
  const client = await clientFor(options);
  const task = await client.call<PipelineTask>('POST', `/api/repos/${slug}/tasks`, { title: options.title, body, labels: options.label });
  print(options, task, () => `added task ${task.id} to ${slug}: ${task.stage} (${task.status})\n`);
}

/** `supervisor task show <slug> <id>`: a task, its history and the last lines of its latest agent run. */
export async function taskShowCommand(slug: string, id: string, options: JsonOption & { lines?: string }): Promise<void> {
  const client = await clientFor(options);
  const path = `/api/repos/${slug}/tasks/${encodeURIComponent(id)}`;
  const task = await client.call<PipelineTask>('GET', path);
  const transcript = await client.call<TaskTranscript>('GET', `${path}/transcript${options.lines === undefined ? '' : `?lines=${encodeURIComponent(options.lines)}`}`);
  print(options, { task, transcript }, () => taskReport(task, transcript));
}

/** `supervisor hitl <slug>`: the tasks waiting for a human. */
export async function hitlCommand(slug: string, options: JsonOption): Promise<void> {
  const { items } = await (await clientFor(options)).call<{ items: HitlItem[] }>('GET', `/api/repos/${slug}/hitl`);
  print(options, items, () => hitlTable(items));
}

/** `supervisor hitl correct <slug> <id>`: sends a human's correction; the task goes back to the stage it came from. */
export async function hitlCorrectCommand(slug: string, id: string, options: HomeOptions & { correction?: string; correctionFile?: string }): Promise<void> {
  const correction = await readTextOption({ flag: '--correction', inline: options.correction, file: options.correctionFile });
  const client = await clientFor(options);
  const task = await client.call<PipelineTask>('POST', `/api/repos/${slug}/hitl/${encodeURIComponent(id)}/correct`, { correction });
  process.stdout.write(`corrected task ${task.id}: ${task.stage} (${task.status})\n`);
}

/** `supervisor hitl skip|close <slug> <id>`: parks the task, or ends it. */
export async function hitlDecisionCommand(decision: 'skip' | 'close', slug: string, id: string, options: HomeOptions): Promise<void> {
  const client = await clientFor(options);
  const task = await client.call<PipelineTask>('POST', `/api/repos/${slug}/hitl/${encodeURIComponent(id)}/${decision}`);
  process.stdout.write(`${decision === 'skip' ? 'skipped' : 'closed'} task ${task.id}: ${task.stage} (${task.status})\n`);
}
