import { afterEach, describe, expect, it } from '@jest/globals';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { AgentStage } from '@repovisor/protocol';
import { runCommandAgent } from '../packages/worker/src/pipeline/agents/command-agent.js';
import { stageOutcome } from '../packages/worker/src/pipeline/agents/markers.js';
import type { StageOutcome } from '../packages/worker/src/pipeline/agents/markers.js';
import { buildPrompt, loadPromptTemplates } from '../packages/worker/src/pipeline/agents/prompts.js';
import type { PromptInputs, PromptTemplates } from '../packages/worker/src/pipeline/agents/prompts.js';
import { LocalChangeHost } from '../packages/worker/src/pipeline/git/local-change-host.js';
import type { TaskWorkspace } from '../packages/worker/src/pipeline/git/task-workspaces.js';
import { AgentProcesses } from './helpers/agent-runs.js';
import { git } from './helpers/git-repo.js';
import { createOriginRig } from './helpers/origin-rig.js';
import type { OriginRig } from './helpers/origin-rig.js';
import { REPO_ROOT } from './helpers/paths.js';
import { TempDirs } from './helpers/temp-dir.js';

// The bundled demo agent (examples/agents/scripted-agent.mjs), run as the worker runs a
// command agent, in a real task workspace, with the built-in prompts.

const SCRIPTED_AGENT = [process.execPath, join(REPO_ROOT, 'examples', 'agents', 'scripted-agent.mjs')];

const temp = new TempDirs();
const agents = new AgentProcesses();
let dataRoots: string[] = [];
afterEach(async () => {
  // An agent still recorded in a data root is running (a failed test): end its group.
  for (const dataRoot of dataRoots) {
    for (const name of await readdir(join(dataRoot, 'agents')).catch(() => [] as string[])) {
      const { pgid } = JSON.parse(await readFile(join(dataRoot, 'agents', name), 'utf8')) as { pgid: number };
      agents.noteGroup(pgid);
    }
  }
  agents.killAll();
  dataRoots = [];
  await temp.cleanup();
});

interface Rig {
  rig: OriginRig;
  host: LocalChangeHost;
  workspace: TaskWorkspace;
  templates: PromptTemplates;
}

async function rigFor(id: number): Promise<Rig> {
  const rig = await createOriginRig(temp);
  dataRoots.push(rig.dataRoot);
  const opened = await LocalChangeHost.open({ repoPath: rig.repo, dataRoot: rig.dataRoot, remote: 'origin', baseBranch: null });
  if (!opened.ok) throw new Error(opened.message);
  const prepared = await opened.host.workspaces.prepare(id);
  if (!prepared.ok) throw new Error(prepared.message);
  const loaded = await loadPromptTemplates({}, rig.root);
  if (!loaded.ok) throw new Error(loaded.message);
  return { rig, host: opened.host, workspace: prepared.workspace, templates: loaded.templates };
}

/** Runs the scripted agent for `stage` of the workspace's task; resolves with its outcome and stdout lines. */
async function run(rig: Rig, stage: AgentStage, task: Partial<PromptInputs> & { title: string }, attempt = 1): Promise<{ outcome: StageOutcome; lines: string[] }> {
  const { workspace } = rig;
  const inputs: PromptInputs = { taskId: String(workspace.id), body: '', attempt, branch: workspace.branch, baseBranch: rig.host.target.baseBranch, ...task };
  const result = await runCommandAgent({
    command: SCRIPTED_AGENT,
    context: { stage, taskId: inputs.taskId, taskTitle: inputs.title, attempt, branch: workspace.branch, workspace: workspace.path, baseBranch: inputs.baseBranch },
    prompt: buildPrompt(rig.templates, stage, inputs),
    dataRoot: rig.rig.dataRoot,
    transcriptPath: join(rig.rig.dataRoot, 'transcripts', `issue-${workspace.id}`, `${stage}-${attempt}.log`),
    timeoutMs: 60_000,
    graceMs: 500,
  });
  if (!result.ok) throw new Error(`the scripted agent did not start: ${result.message}`);
  expect(result).toMatchObject({ exitCode: 0, timedOut: false, aborted: false });
  return { outcome: stageOutcome(stage, result), lines: result.stdoutLines };
}

async function commitsAhead(rig: Rig): Promise<number> {
  const counted = await rig.host.commitsAhead(rig.workspace.path, rig.workspace.branch);
  if (!counted.ok) throw new Error(counted.message);
  return counted.count;
}

describe('the bundled scripted agent', () => {
  it('triages a task as ready, and one marked [not-ready] as not ready, with progress lines before its answer', async () => {
    const rig = await rigFor(1);
    const ready = await run(rig, 'triage', { title: 'Add a greeting', body: 'Say hello in the README.' });
    expect(ready.outcome).toEqual({ kind: 'triaged', ready: true, reasons: ['a bounded change'] });
    expect(ready.lines[0]).toBe(`scripted agent: triage of task 1 "Add a greeting", attempt 1, in ${rig.workspace.path}`);
    const notReady = await run(rig, 'triage', { title: 'Something vague', body: 'Make it better. [not-ready]' });
    expect(notReady.outcome).toEqual({ kind: 'triaged', ready: false, reasons: ['the task is marked [not-ready]'] });
    expect(await commitsAhead(rig)).toBe(0);
  });

  it('plans a task, and answers already satisfied for one marked [already-done]', async () => {
    const rig = await rigFor(2);
    expect((await run(rig, 'plan', { title: 'Add a greeting' })).outcome).toEqual({
      kind: 'planned',
      plan: "1. Write tasks/issue-2.md with the task's title and this plan.\n2. Commit it on the task branch.",
    });
    expect((await run(rig, 'plan', { title: 'Keep the changelog [already-done]' })).outcome).toEqual({
      kind: 'already-satisfied',
      explanation: 'The task is marked [already-done]: the repository already does what it asks.',
    });
  });

  it('implements a task with a real commit on the task branch, and a new one on every run', async () => {
    const rig = await rigFor(3);
    const before = await rig.rig.operatorState();
    const task = { title: 'Add a greeting', body: 'Say hello.', plan: '1. write the file' };
    expect((await run(rig, 'implement', task)).outcome).toEqual({ kind: 'finished' });
    expect(await commitsAhead(rig)).toBe(1);
    const path = rig.workspace.path;
    expect(await git(path, 'log', '-1', '--format=%an <%ae>|%s')).toBe('Repovisor scripted agent <scripted-agent@repovisor.invalid>|Add a greeting (task 3, implement 1)');
    expect(await git(path, 'symbolic-ref', 'HEAD')).toBe('refs/heads/agent/issue-3');
    expect(await git(path, 'status', '--porcelain')).toBe('');
    expect(await readFile(join(path, 'tasks', 'issue-3.md'), 'utf8')).toBe('# Add a greeting\n\nSay hello.\n\n## Implementation, attempt 1\n\n1. write the file\n\n');

    await run(rig, 'implement', { ...task, reviewFeedback: 'Say it louder.' }, 2);
    expect(await commitsAhead(rig)).toBe(2);
    expect(await readFile(join(path, 'tasks', 'issue-3.md'), 'utf8')).toContain('## Implementation, attempt 2\n\n1. write the file\n\nReview feedback addressed:\nSay it louder.\n');
    expect(await rig.rig.operatorState()).toBe(before);
  });

  it('applies a human correction in hitl as a commit', async () => {
    const rig = await rigFor(4);
    const outcome = await run(rig, 'hitl', { title: 'Fix the greeting', correction: 'Use "Hello, world".', cause: 'implement attempts ran out' });
    expect(outcome.outcome).toEqual({ kind: 'finished' });
    expect(await commitsAhead(rig)).toBe(1);
    expect(await readFile(join(rig.workspace.path, 'tasks', 'issue-4.md'), 'utf8')).toContain('## Correction, attempt 1\n\nUse "Hello, world".\n');
  });

  it('approves a review with a summary, its other lines the feedback', async () => {
    const rig = await rigFor(5);
    expect((await run(rig, 'review', { title: 'Add a greeting', plan: '1. write the file' })).outcome).toEqual({
      kind: 'reviewed',
      verdict: 'approve',
      summary: 'Add a greeting: does what the plan says',
      feedback: `scripted agent: review of task 5 "Add a greeting", attempt 1, in ${rig.workspace.path}\nRead the change of task 5: it adds tasks/issue-5.md as planned.`,
    });
  });

  it('keeps every line it printed in the run\'s transcript file', async () => {
    const rig = await rigFor(6);
    const { lines } = await run(rig, 'plan', { title: 'Add a greeting' });
    const transcript = await readFile(join(rig.rig.dataRoot, 'transcripts', 'issue-6', 'plan-1.log'), 'utf8');
    expect(transcript).toBe(`${lines.join('\n')}\n`);
    expect(lines).toContain('PLAN_START');
  });
});
