import { afterEach, describe, expect, it } from '@jest/globals';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fixtureAgent } from './helpers/agent-runs.js';
import { git } from './helpers/git-repo.js';
import { REPO_ROOT } from './helpers/paths.js';
import { TempDirs } from './helpers/temp-dir.js';
import { WorkspaceAgents, commitsAhead } from './helpers/workspace-agents.js';

// examples/agents/cli-agent.mjs, the wrapper the README puts around Claude Code and
// Codex, around a fixture that prints their JSON events (tests/fixtures/agents/json-events-agent.mjs).

const agents = new WorkspaceAgents(new TempDirs());
afterEach(() => agents.cleanup());

function wrapped(flavour: 'claude' | 'codex'): string[] {
  return [process.execPath, join(REPO_ROOT, 'examples', 'agents', 'cli-agent.mjs'), ...fixtureAgent('json-events-agent.mjs'), flavour];
}

describe.each(['claude', 'codex'] as const)('the CLI agent wrapper around %s events', (flavour) => {
  it('prints the assistant\'s text as lines, so that the worker reads its markers, with tool calls as progress lines', async () => {
    const rig = await agents.rigFor(1);
    const triage = await agents.run(rig, wrapped(flavour), 'triage', { title: 'Add notes' });
    expect(triage.outcome).toEqual({ kind: 'triaged', ready: true, reasons: ['clear'] });
    const plan = await agents.run(rig, wrapped(flavour), 'plan', { title: 'Add notes' });
    expect(plan.outcome).toEqual({ kind: 'planned', plan: '1. add notes.txt' });
    expect(plan.lines).toEqual([flavour === 'claude' ? '· Read' : '· $ bash -lc ls', 'Here is the plan.', 'PLAN_START', '1. add notes.txt', 'PLAN_END']);
    const review = await agents.run(rig, wrapped(flavour), 'review', { title: 'Add notes' });
    expect(review.outcome).toMatchObject({ kind: 'reviewed', verdict: 'request-changes', summary: 'add a test' });
    expect(await commitsAhead(rig)).toBe(0);
  });

  it('commits what an implement run left uncommitted, having passed the prompt on', async () => {
    const rig = await agents.rigFor(2);
    const implement = await agents.run(rig, wrapped(flavour), 'implement', { title: 'Add notes', body: 'A notes file.' });
    expect(implement.outcome).toEqual({ kind: 'finished' });
    expect(implement.lines).toContain('· committed the changes the agent left uncommitted');
    expect(await commitsAhead(rig)).toBe(1);
    expect(await git(rig.workspace.path, 'log', '-1', '--format=%s')).toBe('Add notes (task 2, implement)');
    expect(await git(rig.workspace.path, 'status', '--porcelain')).toBe('');
    expect(await readFile(join(rig.workspace.path, 'notes.txt'), 'utf8')).toMatch(/^[1-9]\d* characters of prompt\n$/);
  });
});

describe('the CLI agent wrapper', () => {
  it('fails with a clear message when the program cannot be run', async () => {
    const rig = await agents.rigFor(3);
    const command = [process.execPath, join(REPO_ROOT, 'examples', 'agents', 'cli-agent.mjs'), 'no-such-agent-program'];
    const run = await agents.run(rig, command, 'plan', { title: 'Add notes' }, 1, 127);
    expect(run.outcome).toEqual({ kind: 'failed', reason: 'exit-non-zero', detail: 'the agent exited with code 127, with no plan marker in its output' });
    expect(await readFile(run.transcript, 'utf8')).toContain("[stderr] cli-agent: cannot run no-such-agent-program: spawn no-such-agent-program ENOENT; is it installed and on the worker's PATH?");
  });
});
