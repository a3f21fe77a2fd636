import type { Result } from '@repovisor/kit';
import type { NewTask } from './task.js';

// The checks on a new task's fields (`POST /api/tasks`, `supervisor task
// add`), with messages an operator can act on. The API answers 413 for a
// body over its size limit and 400 for every other problem.

/** The longest title, in characters. */
export const MAX_TITLE_CHARS = 200;
/** The largest body, in bytes of UTF-8 (64 KiB). */
export const MAX_BODY_BYTES = 64 * 1024;
/** The most labels a task may have. */
export const MAX_LABELS = 50;
/** The longest label, in characters. */
export const MAX_LABEL_CHARS = 100;

/** Why a new task was refused: `too_large` (413) for a body over {@link MAX_BODY_BYTES}, else `invalid` (400); every problem is listed. */
export interface NewTaskRefusal {
  code: 'invalid' | 'too_large';
  message: string;
}

/** `{title, body, labels?}` checked, or every problem with it. */
export function validateNewTask(input: unknown): Result<{ task: NewTask }, NewTaskRefusal> {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    return { ok: false, code: 'invalid', message: 'a new task must be a JSON object {title, body, labels?}' };
  }
  const fields = input as Record<string, unknown>;
  const problems: string[] = [];
  let tooLarge = false;
  for (const key of Object.keys(fields)) {
    if (key !== 'title' && key !== 'body' && key !== 'labels') problems.push(`${key}: unknown field (a new task has title, body and labels)`);
  }
  const { title, body, labels = [] } = fields;
  if (typeof title !== 'string') problems.push('title: missing; give a string');
  else if (title.trim() === '') problems.push('title: empty; give a short summary of the task');
  else if (characters(title) > MAX_TITLE_CHARS) problems.push(`title: ${characters(title)} characters, over the limit of ${MAX_TITLE_CHARS}; put the details in the body`);
  else if (/[\r\n]/.test(title)) problems.push('title: has a line break; keep it to one line and put the rest in the body');
  if (typeof body !== 'string') problems.push('body: missing; give a string (it may be empty)');
  else if (Buffer.byteLength(body, 'utf8') > MAX_BODY_BYTES) {
    tooLarge = true;
    problems.push(`body: ${Buffer.byteLength(body, 'utf8')} bytes, over the limit of ${MAX_BODY_BYTES} (64 KiB); shorten it or link to the details`);
  }
  const labelProblems = checkLabels(labels);
  problems.push(...labelProblems);
  if (problems.length > 0) {
    return { ok: false, code: tooLarge ? 'too_large' : 'invalid', message: `the new task is not valid: ${problems.join('; ')}` };
  }
  const unique = [...new Set(labels as string[])];
  return { ok: true, task: { title: (title as string).trim(), body: body as string, labels: unique } };
}

function checkLabels(labels: unknown): string[] {
  if (!Array.isArray(labels)) return ['labels: not a list; give a list of strings, or leave it out'];
  const problems: string[] = [];
  if (labels.length > MAX_LABELS) problems.push(`labels: ${labels.length} labels, over the limit of ${MAX_LABELS}`);
  labels.forEach((label: unknown, index) => {
    if (typeof label !== 'string' || label.trim() === '') problems.push(`labels[${index}]: give a non-empty string`);
    else if (characters(label) > MAX_LABEL_CHARS) problems.push(`labels[${index}]: ${characters(label)} characters, over the limit of ${MAX_LABEL_CHARS}`);
  });
  return problems;
}

// Characters as a person counts them: code points, so an emoji is one.
function characters(text: string): number {
  return [...text].length;
}
