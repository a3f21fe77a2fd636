import { expect } from '@jest/globals';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { AgentStage } from '@repovisor/protocol';
import { runCommandAgent } from '../../packages/worker/src/pipeline/agents/command-agent.js';
import { stageOutcome } from '../../packages/worker/src/pipeline/agents/markers.js';
import type { StageOutcome } from '../../packages/worker/src/pipeline/agents/markers.js';
import { buildPrompt, loadPromptTemplates } from '../../packages/worker/src/pipeline/agents/prompts.js';
import type { PromptInputs, PromptTemplates } from '../../packages/worker/src/pipeline/agents/prompts.js';
import { LocalChangeHost } from '../../packages/worker/src/pipeline/git/local-change-host.js';
import type { TaskWorkspace } from '../../packages/worker/src/pipeline/git/task-workspaces.js';
import { AgentProcesses } from './agent-runs.js';
import { createOriginRig } from './origin-rig.js';
import type { OriginRig } from './origin-rig.js';
import type { TempDirs } from './temp-dir.js';

/** A task's real workspace (a local clone on agent/issue-<id>), its change host and the built-in prompts. */
export interface WorkspaceRig {
  rig: OriginRig;
  host: LocalChangeHost;
  workspace: TaskWorkspace;
  templates: PromptTemplates;
}

/** One stage run of a command agent: what the worker would read from it. */
export interface StageRun {
  outcome: StageOutcome;
  lines: string[];
  /** The run's transcript file. */
  transcript: string;
}

/**
 * Command agents run in real task workspaces, as the worker runs them
 * (runCommandAgent, the built-in prompt, stageOutcome). {@link cleanup}
 * (from afterEach) ends every agent still recorded in a data root, then removes the folders.
 */
export class WorkspaceAgents {
  private readonly agents = new AgentProcesses();
  private dataRoots: string[] = [];

  constructor(private readonly temp: TempDirs) {}

  /** Makes {@link cleanup} end the agents recorded in `dataRoot` too (a worker's, started by other means). */
  track(dataRoot: string): void {
    this.dataRoots.push(dataRoot);
  }

  /** An origin rig with task `id`'s workspace prepared. */
  async rigFor(id: number): Promise<WorkspaceRig> {
    const rig = await createOriginRig(this.temp);
    this.dataRoots.push(rig.dataRoot);
    const opened = await LocalChangeHost.open({ repoPath: rig.repo, dataRoot: rig.dataRoot, remote: 'origin', baseBranch: null });
    if (!opened.ok) throw new Error(opened.message);
    const prepared = await opened.host.workspaces.prepare(id);
    if (!prepared.ok) throw new Error(prepared.message);
    const loaded = await loadPromptTemplates({}, rig.root);
    if (!loaded.ok) throw new Error(loaded.message);
    return { rig, host: opened.host, workspace: prepared.workspace, templates: loaded.templates };
  }

  /** Runs `command` for `stage` of the workspace's task (it must exit with `exitCode`); resolves with its outcome and stdout lines. */
  async run(rig: WorkspaceRig, command: string[], stage: AgentStage, task: Partial<PromptInputs> & { title: string }, attempt = 1, exitCode = 0): Promise<StageRun> {
    const { workspace } = rig;
    const inputs: PromptInputs = { taskId: String(workspace.id), body: '', attempt, branch: workspace.branch, baseBranch: rig.host.target.baseBranch, ...task };
    const transcript = join(rig.rig.dataRoot, 'transcripts', `issue-${workspace.id}`, `${stage}-${attempt}.log`);
    const result = await runCommandAgent({
      command,
      context: { stage, taskId: inputs.taskId, taskTitle: inputs.title, attempt, branch: workspace.branch, workspace: workspace.path, baseBranch: inputs.baseBranch },
      prompt: buildPrompt(rig.templates, stage, inputs),
      dataRoot: rig.rig.dataRoot,
      transcriptPath: transcript,
      timeoutMs: 60_000,
      graceMs: 500,
    });
    if (!result.ok) throw new Error(`the agent did not start: ${result.message}`);
    expect(result).toMatchObject({ exitCode, timedOut: false, aborted: false });
    return { outcome: stageOutcome(stage, result), lines: result.stdoutLines, transcript };
  }

  /** Ends every agent still recorded in a data root (a failed test's), then removes the temporary folders. */
  async cleanup(): Promise<void> {
    for (const dataRoot of this.dataRoots.splice(0)) {
      for (const name of await readdir(join(dataRoot, 'agents')).catch(() => [] as string[])) {
        const { pgid } = JSON.parse(await readFile(join(dataRoot, 'agents', name), 'utf8')) as { pgid: number };
        this.agents.noteGroup(pgid);
      }
    }
    this.agents.killAll();
    await this.temp.cleanup();
  }
}

/** How many commits the workspace's branch has that the base branch lacks. */
export async function commitsAhead(rig: WorkspaceRig): Promise<number> {
  const counted = await rig.host.commitsAhead(rig.workspace.path, rig.workspace.branch);
  if (!counted.ok) throw new Error(counted.message);
  return counted.count;
}
