#!/usr/bin/env node
// The demo's agent: a small program that follows Repovisor's marker contract
// (docs/PIPELINE.md, "Agents") without any AI service, so that `npm start`
// runs offline. It reads its prompt on stdin and its stage from
// REPOVISOR_STAGE, prints a few progress lines (they become the transcript),
// then answers for its stage:
//   triage     a {"ready": …, "reasons": […]} line; not ready when the task says [not-ready]
//   plan       PLAN_START … PLAN_END, or ALREADY_SATISFIED_START … END when it says [already-done]
//   implement  writes tasks/issue-<id>.md in REPOVISOR_WORKSPACE and commits it
//   hitl       the same, with the human's correction in the file
//   review     VERDICT: APPROVE and a SUMMARY line
// Node only, no dependencies. Exits 0 unless git fails (then 1, with git's message on stderr).
import { execFileSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';

const env = process.env;
const stage = env.REPOVISOR_STAGE ?? '';
const taskId = env.REPOVISOR_TASK_ID ?? '0';
const attempt = env.REPOVISOR_ATTEMPT ?? '1';
const workspace = env.REPOVISOR_WORKSPACE ?? process.cwd();

/** The text between `<tag>` and `</tag>` in the prompt (the built-in prompts fence task data so), or ''. */
function block(prompt, tag) {
  const match = new RegExp(`<${tag}>\\n?([\\s\\S]*?)\\n?</${tag}>`).exec(prompt);
  return match === null ? '' : match[1].trim();
}

function readStdin() {
  return new Promise((resolve) => {
    let text = '';
    process.stdin.setEncoding('utf8');
    process.stdin.on('data', (chunk) => (text += chunk));
    process.stdin.on('end', () => resolve(text));
  });
}

function triage(task) {
  const notReady = `${task.title}\n${task.body}`.includes('[not-ready]');
  console.log(notReady ? 'The task is marked [not-ready]: parking it.' : 'The task names one change: ready.');
  console.log(JSON.stringify(notReady ? { ready: false, reasons: ['the task is marked [not-ready]'] } : { ready: true, reasons: ['a bounded change'] }));
}

function plan(task) {
  if (`${task.title}\n${task.body}`.includes('[already-done]')) {
    console.log('ALREADY_SATISFIED_START');
    console.log('The task is marked [already-done]: the repository already does what it asks.');
    console.log('ALREADY_SATISFIED_END');
    return;
  }
  console.log('PLAN_START');
  console.log(`1. Write tasks/issue-${taskId}.md with the task's title and this plan.`);
  console.log('2. Commit it on the task branch.');
  console.log('PLAN_END');
}

/** Appends a section for this run to tasks/issue-<id>.md (so every run makes a new commit) and commits it. */
function commitWork(task, heading, text) {
  const file = join('tasks', `issue-${taskId}.md`);
  const path = join(workspace, file);
  mkdirSync(join(workspace, 'tasks'), { recursive: true });
  if (!existsSync(path)) appendFileSync(path, `# ${task.title}\n\n${task.body === '' ? '' : `${task.body}\n\n`}`);
  appendFileSync(path, `## ${heading}\n\n${text === '' ? '(nothing given)' : text}\n\n`);
  console.log(`Wrote ${file}.`);
  const git = (...args) =>
    execFileSync('git', ['-c', 'user.name=Repovisor scripted agent', '-c', 'user.email=scripted-agent@repovisor.invalid', '-c', 'commit.gpgsign=false', ...args], {
      cwd: workspace,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  git('add', '--', file);
  git('commit', '--quiet', '--no-verify', '-m', `${task.title} (task ${taskId}, ${stage} ${attempt})`);
  console.log(`Committed ${git('rev-parse', '--short', 'HEAD').trim()} on ${env.REPOVISOR_BRANCH ?? 'the task branch'}.`);
}

/** What an implement run writes: the plan, and the review feedback it addresses. */
function implementation(planText, feedback) {
  const parts = [planText === '' ? '(no plan given)' : planText];
  if (feedback !== '') parts.push(`Review feedback addressed:\n${feedback}`);
  return parts.join('\n\n');
}

function review(task) {
  console.log(`Read the change of task ${taskId}: it adds tasks/issue-${taskId}.md as planned.`);
  console.log('VERDICT: APPROVE');
  console.log(`SUMMARY: ${task.title}: does what the plan says`);
}

const prompt = await readStdin();
const task = { title: env.REPOVISOR_TASK_TITLE ?? block(prompt, 'task_title'), body: block(prompt, 'task_body') };
console.log(`scripted agent: ${stage} of task ${taskId} "${task.title}", attempt ${attempt}, in ${workspace}`);
try {
  switch (stage) {
    case 'triage':
      triage(task);
      break;
    case 'plan':
      plan(task);
      break;
    case 'implement':
      commitWork(task, `Implementation, attempt ${attempt}`, implementation(block(prompt, 'plan'), block(prompt, 'feedback')));
      break;
    case 'hitl':
      commitWork(task, `Correction, attempt ${attempt}`, block(prompt, 'correction'));
      break;
    case 'review':
      review(task);
      break;
    default:
      console.error(`scripted agent: unknown REPOVISOR_STAGE ${JSON.stringify(stage)}; expected triage, plan, implement, review or hitl`);
      process.exitCode = 2;
  }
} catch (error) {
  console.error(`scripted agent: ${stage} failed: ${error.stderr || error.message}`);
  process.exitCode = 1;
}
