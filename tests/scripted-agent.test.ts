import { afterEach, describe, expect, it } from '@jest/globals';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { AgentStage } from '@repovisor/protocol';
import type { PromptInputs } from '../packages/worker/src/pipeline/agents/prompts.js';
import { git } from './helpers/git-repo.js';
import { REPO_ROOT } from './helpers/paths.js';
import { TempDirs } from './helpers/temp-dir.js';
import { WorkspaceAgents, commitsAhead } from './helpers/workspace-agents.js';
import type { StageRun, WorkspaceRig } from './helpers/workspace-agents.js';

// The bundled demo agent (examples/agents/scripted-agent.mjs), run as the worker runs a
// command agent, in a real task workspace, with the built-in prompts.

const SCRIPTED_AGENT = [process.execPath, join(REPO_ROOT, 'examples', 'agents', 'scripted-agent.mjs')];

const agents = new WorkspaceAgents(new TempDirs());
afterEach(() => agents.cleanup());
const rigFor = (id: number): Promise<WorkspaceRig> => agents.rigFor(id);
const run = (rig: WorkspaceRig, stage: AgentStage, task: Partial<PromptInputs> & { title: string }, attempt = 1): Promise<StageRun> => agents.run(rig, SCRIPTED_AGENT, stage, task, attempt);

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
    const { lines, transcript } = await run(rig, 'plan', { title: 'Add a greeting' });
    expect(transcript).toBe(join(rig.rig.dataRoot, 'transcripts', 'issue-6', 'plan-1.log'));
    expect(await readFile(transcript, 'utf8')).toBe(`${lines.join('\n')}\n`);
    expect(lines).toContain('PLAN_START');
  });
});
