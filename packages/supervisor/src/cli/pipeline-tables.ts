import { oneLine, textTable } from './text-table.js';

/** A task as a worker's `/api/tasks` answers it (the fields the CLI shows). */
export interface PipelineTask {
  id: number;
  title: string;
  body: string;
  stage: string;
  status: string;
  attempts: { plan: number; implement: number; review: number };
  branch: string;
  change: { number: number; url: string; state: string } | null;
  history: { stage: string; at: string; outcome: string; detail: string }[];
  last_error: string | null;
}

/** An entry of a worker's `GET /api/hitl`. */
export interface HitlItem {
  issue: number;
  title: string;
  cause: string;
  origin_stage: string;
  branch: string;
  pr: number | null;
}

/** A worker's `GET /api/tasks/:id/transcript`: the last lines of the task's latest agent run. */
export interface TaskTranscript {
  task: number;
  run: { stage: string; attempt: number } | null;
  lines: string[];
}

function changeCell(change: PipelineTask['change']): string {
  return change === null ? '-' : `#${change.number} ${change.state}`;
}

/** `supervisor tasks`: one row per task. */
export function tasksTable(tasks: PipelineTask[]): string {
  const header = ['ID', 'STAGE', 'STATUS', 'ATTEMPTS P/I/R', 'CHANGE', 'TITLE'];
  const rows = tasks.map((task) => [
    String(task.id),
    task.stage,
    task.status,
    `${task.attempts.plan}/${task.attempts.implement}/${task.attempts.review}`,
    changeCell(task.change),
    oneLine(task.title),
  ]);
  if (rows.length === 0) return `${textTable(header, [])}(no tasks: add one with 'supervisor task add <slug> --title … --body …')\n`;
  return textTable(header, rows);
}

/** `supervisor hitl`: one row per task waiting for a human. */
export function hitlTable(items: HitlItem[]): string {
  const header = ['ID', 'FROM', 'BRANCH', 'PR', 'CAUSE', 'TITLE'];
  const rows = items.map((item) => [
    String(item.issue),
    item.origin_stage,
    item.branch,
    item.pr === null ? '-' : `#${item.pr}`,
    oneLine(item.cause, 50),
    oneLine(item.title, 40),
  ]);
  if (rows.length === 0) return `${textTable(header, [])}(no task waits for a human)\n`;
  return textTable(header, rows);
}

/** `supervisor task show`: the task's fields, its body, its history as a table and the transcript's last lines. */
export function taskReport(task: PipelineTask, transcript: TaskTranscript): string {
  const fields: [string, string][] = [
    ['stage', `${task.stage} (${task.status})`],
    ['attempts', `plan ${task.attempts.plan}, implement ${task.attempts.implement}, review ${task.attempts.review}`],
    ['branch', task.branch],
    ['change', task.change === null ? '-' : `${changeCell(task.change)} ${task.change.url}`],
  ];
  if (task.last_error !== null) fields.push(['last error', task.last_error]);
  const body = task.body.trimEnd().split('\n').map((line) => `  ${line}`.trimEnd());
  const history = task.history.map((entry) => [entry.stage, entry.at, entry.outcome, oneLine(entry.detail, 80)]);
  const run = transcript.run;
  const transcriptTitle = run === null ? 'TRANSCRIPT: none (no agent has run for this task yet)' : `TRANSCRIPT: ${run.stage}, attempt ${run.attempt} (its last ${transcript.lines.length} lines)`;
  return [
    `task ${task.id}: ${task.title}`,
    ...fields.map(([name, value]) => `  ${name.padEnd(10)} ${value}`),
    '',
    ...body,
    '',
    'HISTORY',
    history.length === 0 ? '(none yet)\n' : textTable(['STAGE', 'AT', 'OUTCOME', 'DETAIL'], history),
    transcriptTitle,
    ...transcript.lines,
    '',
  ].join('\n');
}
