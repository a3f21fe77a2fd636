import type { AgentSpec, AgentStage, PipelineSettings } from '@repovisor/protocol';
import type { CommandAgentResult, CommandAgentOptions } from '../agents/command-agent.js';
import type { KindAgentOptions, KindAgentRun } from '../agents/kind-agent.js';
import type { StageOutcome as MarkerOutcome } from '../agents/markers.js';
import { buildPrompt } from '../agents/prompts.js';
import type { PromptTemplates } from '../agents/prompts.js';
import { pipelineGit } from '../git/pipeline-git.js';
import type { TaskWorkspace } from '../git/task-workspaces.js';
import type { StageOutcome } from '../tasks/stage-outcome.js';
import type { Task } from '../tasks/task.js';
import type { ChangeHost } from './change-host.js';
import type { PipelineEvents } from './pipeline-events.js';
import { PipelineFault } from './pipeline-fault.js';
import { transcriptPath } from './transcripts.js';

/** The agent runner, loaded on a worker's first agent run. */
export interface AgentRunner {
  runCommandAgent(options: CommandAgentOptions): Promise<CommandAgentResult>;
  runKindAgent(options: KindAgentOptions): Promise<KindAgentRun>;
  stageOutcome(stage: AgentStage, result: CommandAgentResult): MarkerOutcome;
}

/** What one stage run needs besides its task. */
export interface StageRunContext {
  settings: PipelineSettings;
  host: ChangeHost;
  templates: PromptTemplates;
  dataRoot: string;
  events: PipelineEvents;
  runner: () => Promise<AgentRunner>;
  /** Aborted when the runtime stops: the agent is ended and the run is `interrupted`. */
  signal: AbortSignal;
  /** The agents' base environment: the worker's, less its own settings. */
  env: NodeJS.ProcessEnv;
}

// Between SIGTERM and SIGKILL for an agent's group at its timeout or a stop.
const AGENT_GRACE_MS = 5000;

/** The agent of `stage`: its own, or the pipeline's. */
function agentOf(settings: PipelineSettings, stage: AgentStage): AgentSpec {
  return settings.stages[stage]?.agent ?? settings.agent;
}

/**
 * Runs the agent of `stage` for `task` (already `active` and persisted) in
 * `workspace`, and turns what it did into the outcome `advance` takes: its
 * markers, or for implement and hitl the new commits on the branch, pushed,
 * with the task's change request opened. A git step that fails is a
 * {@link PipelineFault}: the task's run is interrupted, not failed.
 */
export async function runStage(context: StageRunContext, task: Task, stage: AgentStage, attempt: number, workspace: TaskWorkspace): Promise<StageOutcome> {
  const agent = agentOf(context.settings, stage);
  const baseBranch = context.host.target.baseBranch;
  const prompt = buildPrompt(context.templates, stage, {
    taskId: String(task.id),
    title: task.title,
    body: task.body,
    attempt,
    branch: task.branch,
    baseBranch,
    plan: task.plan,
    reviewFeedback: task.review_feedback,
    correction: task.correction,
    cause: task.hitl?.cause ?? null,
  });
  const runner = await context.runner();
  const options: Omit<CommandAgentOptions, 'command'> = {
    context: { stage, taskId: String(task.id), taskTitle: task.title, attempt, branch: task.branch, workspace: workspace.path, baseBranch },
    prompt,
    dataRoot: context.dataRoot,
    transcriptPath: transcriptPath(context.dataRoot, task.id, stage, attempt),
    timeoutMs: context.settings.agent_timeout_ms,
    graceMs: AGENT_GRACE_MS,
    signal: context.signal,
    onLine: (line) => context.events.transcriptLine(task, stage, attempt, line),
    env: context.env,
  };
  const result = 'command' in agent ? await runner.runCommandAgent({ ...options, command: agent.command }) : await kindRun(runner, { ...options, agent });
  if (result.ok && result.aborted) return { kind: 'interrupted', reason: 'the runtime stopped while the agent ran' };
  const read = runner.stageOutcome(stage, result);
  switch (read.kind) {
    case 'triaged':
      return read;
    case 'planned':
      return read;
    case 'already-satisfied':
      return { kind: 'already_satisfied', detail: read.explanation };
    case 'reviewed':
      await context.host.reviewed(task, { verdict: read.verdict === 'approve' ? 'approve' : 'request_changes', summary: read.summary, feedback: read.feedback });
      return read.verdict === 'approve'
        ? { kind: 'approved', summary: read.summary }
        : { kind: 'changes_requested', summary: read.summary, feedback: read.feedback };
    case 'failed':
      return { kind: 'failed', stage, reason: read.detail, fatal: read.reason === 'not-started' };
    case 'finished':
      return committed(context, task, stage === 'hitl' ? 'fixed' : 'implemented', workspace);
    default:
      return unreachable(read);
  }
}

/** Runs a `kind` agent; a failed sign-in or exhausted credits is a {@link PipelineFault} that pauses the pipeline, no attempt counted. */
async function kindRun(runner: AgentRunner, options: KindAgentOptions): Promise<CommandAgentResult> {
  const { result, service, leftoversError } = await runner.runKindAgent(options);
  if (service !== null) throw new PipelineFault(service.kind, service.message, { pauseUntil: service.pauseUntil });
  if (leftoversError !== null) throw new PipelineFault('git', `could not commit what the ${options.context.stage} agent left uncommitted: ${leftoversError}`);
  return result;
}

/** What an implement or hitl run left: its new commits pushed and the change request opened, or none. */
async function committed(context: StageRunContext, task: Task, kind: 'implemented' | 'fixed', workspace: TaskWorkspace): Promise<StageOutcome> {
  const counted = await pipelineGit(workspace.path, ['rev-list', '--count', `${workspace.head}..refs/heads/${task.branch}`]);
  if (!counted.ok) throw new PipelineFault('git', `could not count the commits the agent left on ${task.branch} in ${workspace.path}: ${counted.message}`);
  const commits = Number(counted.stdout);
  if (commits === 0) return { kind, commits: 0 };
  const pushed = await context.host.pushBranch(workspace.path, task.branch);
  if (!pushed.ok) throw new PipelineFault('push', `could not push ${task.branch} to remote "${context.host.target.remote}": ${pushed.message}`);
  if (task.change !== null) return { kind, commits };
  // Opening is idempotent: a worker that died after it and before saving the task finds the same record.
  const { record, created } = await context.host.openChange({ taskId: task.id, title: task.title, branch: task.branch });
  const change = { number: record.number, url: record.url };
  if (created) context.events.prCreated(task, change);
  return { kind, commits, change };
}

function unreachable(value: never): never {
  throw new Error(`unreachable: ${JSON.stringify(value)}`);
}
