import type { Result } from '@repovisor/kit';
import type { AgentStage, PipelineSettings } from '@repovisor/protocol';
import type { WorkerLogger } from '../../log/worker-logger.js';
import { errorMessage } from '../../runtime/error-message.js';
import { preflightAgents } from '../agents/agent-preflight.js';
import { endLeftoverAgents } from '../agents/agent-registry.js';
import { loadPromptTemplates } from '../agents/prompts.js';
import type { PromptTemplates } from '../agents/prompts.js';
import type { TaskWorkspace } from '../git/task-workspaces.js';
import type { StageOutcome } from '../tasks/stage-outcome.js';
import type { Task } from '../tasks/task.js';
import type { NewTaskRefusal } from '../tasks/task-input.js';
import { nextStep, runNumber, startRun } from '../tasks/task-runs.js';
import { TaskStore } from '../tasks/task-store.js';
import { advance } from '../tasks/transitions.js';
import type { Refusal } from '../tasks/transitions.js';
import type { ChangeHost } from './change-host.js';
import { FaultReports } from './fault-reports.js';
import { mergeApproved } from './merge-step.js';
import { openPorts } from './open-ports.js';
import { PipelineEvents } from './pipeline-events.js';
import type { Publish } from './pipeline-events.js';
import { PipelineFault } from './pipeline-fault.js';
import { PipelinePause } from './pipeline-pause.js';
import { agentEnvironment } from './agent-environment.js';
import { StageLanes } from './stage-lanes.js';
import type { Lane } from './stage-lanes.js';
import { runStage } from './stage-run.js';
import type { TaskSource } from './task-source.js';
import type { AgentRunner, StageRunContext } from './stage-run.js';

/** What a {@link PipelineEngine} is built from. */
export interface PipelineEngineOptions {
  repoPath: string;
  dataRoot: string;
  settings: PipelineSettings;
  publish: Publish;
  logger: WorkerLogger;
  /** Loads the agent runner (on the first agent run). */
  loadRunner: () => Promise<AgentRunner>;
  /** Told why every run waits (an agent's sign-in failed, its credits ran out), and null once runs may start again. */
  onPause?: (reason: string | null) => void;
}

/** A human's action on a task in hitl. */
export type HumanAction = { kind: 'correct'; correction: string } | { kind: 'skip' } | { kind: 'close' };

/** Why a human's action was refused: no such task, or (409) the task is not waiting for a human. */
export type HumanActionRefusal = { code: 'not_found'; message: string } | Refusal;

/**
 * The per-repo pipeline: tasks in the store go through the stages, one lane
 * of at most `max_workers` runs per stage, each run's result persisted and the
 * next stage's run started at once. {@link tick} is the poll loop's round: it
 * opens the change host (a missing remote fails it with the fix), then starts
 * whatever waits. A run whose own step fails (git, a push, a write) is put
 * back and retried after the next poll; five of a kind in a row raise a
 * `system_alert`. Stopping ends every agent and waits for their runs.
 */
export class PipelineEngine {
  readonly events: PipelineEvents;
  private readonly lanes: StageLanes;
  private readonly faults: FaultReports;
  // Tasks whose last run failed in the pipeline's own steps: they wait for the next poll.
  private readonly waitForPoll = new Set<number>();
  private readonly runs = new Set<Promise<void>>();
  // Tasks whose merge failed in the workspace as it was: the next try prepares it first.
  private readonly mergeAfresh = new Set<number>();
  private host: ChangeHost | undefined;
  private source: TaskSource | undefined;
  private templates: PromptTemplates | undefined;
  private controller: AbortController | undefined;
  private readonly pause: PipelinePause;

  private constructor(
    private readonly options: PipelineEngineOptions,
    /** The repo's tasks. */
    readonly store: TaskStore,
  ) {
    this.events = new PipelineEvents(options.publish);
    this.faults = new FaultReports(this.events, options.logger);
    this.lanes = new StageLanes(options.settings);
    this.pause = new PipelinePause(options.logger, (reason) => options.onPause?.(reason), () => {
      this.waitForPoll.clear();
      this.schedule();
    });
  }

  /**
   * Loads the tasks, ends the agents a dead worker of this data root left
   * running, and puts back the runs they were doing (`interrupted`, no
   * attempt counted), all before any agent starts.
   */
  static async load(options: PipelineEngineOptions): Promise<PipelineEngine> {
    const store = await TaskStore.load({ dataRoot: options.dataRoot, logger: options.logger });
    const leftovers = await endLeftoverAgents(options.dataRoot, options.logger);
    if (leftovers.ended.length > 0) options.logger.warn({ pids: leftovers.ended }, 'ended the agents a dead worker left running');
    const engine = new PipelineEngine(options, store);
    for (const task of store.list().filter((each) => each.status === 'active')) {
      await engine.apply(task, { kind: 'interrupted', reason: 'the worker restarted while its agent ran' });
    }
    return engine;
  }

  /** The pipeline settings it runs under. */
  get settings(): PipelineSettings {
    return this.options.settings;
  }

  /** Lets runs start (on the next {@link tick} or task change). */
  start(): void {
    if (this.controller !== undefined && !this.controller.signal.aborted) return;
    this.controller = new AbortController();
  }

  /** Ends every agent run (their tasks are put back, `interrupted`) and resolves once all have ended. */
  async stop(): Promise<void> {
    this.controller?.abort();
    this.pause.end();
    while (this.runs.size > 0) await Promise.allSettled([...this.runs]);
  }

  /** The poll loop's round: checks the agents and opens the source and change host when needed (throwing the fix when it cannot), polls the source, then starts what waits. */
  async tick(signal: AbortSignal): Promise<void> {
    if (this.host === undefined || this.templates === undefined) {
      const { settings, repoPath } = this.options;
      const missing = await preflightAgents(settings, process.env);
      if (missing !== null) throw new Error(missing);
      const templates = await loadPromptTemplates(settings.stages, repoPath);
      if (!templates.ok) throw new Error(templates.message);
      const opened = await openPorts(this.options);
      if (!opened.ok) throw new Error(opened.message);
      if (signal.aborted) return;
      const removed = await opened.host.workspaces.collectLeftovers(this.store.list().filter((task) => nextStep(task).kind !== 'none').map((task) => task.id));
      if (removed.length > 0) this.options.logger.info({ removed }, 'removed workspaces left by ended tasks or a crash');
      this.templates = templates.templates;
      this.host = opened.host;
      this.source = opened.source;
    }
    await this.source?.poll(this.store, signal);
    this.waitForPoll.clear();
    this.schedule();
  }

  /** Stores a new task at triage and starts its triage when a lane is free; refused when tasks come from elsewhere (GitHub issues). */
  async create(input: unknown): Promise<Result<{ task: Task }, NewTaskRefusal | { code: 'elsewhere'; message: string }>> {
    if (this.source !== undefined && !this.source.createsTasks) return { ok: false, code: 'elsewhere', message: this.source.createElsewhere };
    const created = await this.store.create(input);
    if (created.ok) {
      this.events.phaseChange(created.task, 'triage');
      this.events.queueUpdate(this.store.list());
      this.schedule();
    }
    return created;
  }

  /** Applies a human's correction, skip or close to a task in hitl. */
  async act(id: number, action: HumanAction): Promise<Result<{ task: Task }, HumanActionRefusal>> {
    const task = this.store.get(id);
    if (task === undefined) return { ok: false, code: 'not_found', message: `Unknown task: ${id}` };
    const next = advance(task, action, this.options.settings, new Date());
    if (!next.ok) return next;
    await this.store.save(next.task);
    this.events.humanAction(next.task, action.kind);
    await this.settled(task, next.task);
    this.schedule();
    return next;
  }

  // Starts a run for every task that waits for one, as far as the lanes allow.
  private schedule(): void {
    const signal = this.controller?.signal;
    if (signal === undefined || signal.aborted || this.host === undefined || this.pause.active) return;
    for (const task of this.store.list()) {
      if (this.waitForPoll.has(task.id)) continue;
      const step = nextStep(task);
      const lane: Lane | undefined = step.kind === 'agent' ? step.stage : step.kind === 'merge' ? 'merge' : undefined;
      if (lane === undefined || !this.lanes.claim(lane, task.id)) continue;
      const run = this.run(lane, task.id, signal).finally(() => {
        this.lanes.release(lane, task.id);
        this.runs.delete(run);
        this.schedule();
      });
      this.runs.add(run);
    }
  }

  private async run(lane: Lane, id: number, signal: AbortSignal): Promise<void> {
    try {
      if (lane === 'merge') await this.merge(id, signal);
      else await this.runAgent(lane, id, signal);
      this.faults.worked(lane);
    } catch (error) {
      if (signal.aborted) return;
      this.waitForPoll.add(id);
      const message = this.faults.failed(lane, id, error, 'a pipeline step failed; the task is retried after the next poll');
      if (error instanceof PipelineFault && error.pauseUntil !== undefined) this.pause.until(error.pauseUntil, message);
    }
  }

  private async runAgent(stage: AgentStage, id: number, signal: AbortSignal): Promise<void> {
    const waiting = this.store.get(id);
    const host = this.host;
    if (waiting === undefined || host === undefined || this.templates === undefined) return;
    const attempt = runNumber(waiting, stage);
    const started = startRun(waiting, stage, new Date());
    if (!started.ok) return;
    const task = started.task;
    await this.save(task);
    this.events.stageRun(stage, task, 'started', attempt, `run ${attempt} of ${stage}`);
    this.events.queueUpdate(this.store.list());
    let outcome: StageOutcome;
    try {
      const workspace = await this.workspaceOf(host, id);
      outcome = await runStage(this.stageContext(host, this.templates, signal), task, stage, attempt, workspace);
    } catch (error) {
      await this.apply(task, { kind: 'interrupted', reason: `the pipeline failed: ${errorMessage(error)}` });
      throw error;
    }
    const next = await this.apply(task, outcome);
    const failed = outcome.kind === 'failed' || ((outcome.kind === 'implemented' || outcome.kind === 'fixed') && outcome.commits === 0);
    this.events.stageRun(stage, next ?? task, failed ? 'failed' : 'done', attempt, next?.history.at(-1)?.detail ?? '');
  }

  private async merge(id: number, signal: AbortSignal): Promise<void> {
    const task = this.store.get(id);
    const host = this.host;
    if (task === undefined || host === undefined || nextStep(task).kind !== 'merge' || signal.aborted) return;
    // The merge checks out what it needs: the workspace the review left will do, unless a merge in it failed.
    const left = this.mergeAfresh.has(id) ? undefined : await host.workspaces.existing(id);
    const workspace = left ?? (await this.workspaceOf(host, id)).path;
    let merge: Awaited<ReturnType<typeof mergeApproved>>;
    try {
      merge = await mergeApproved(host, task, workspace);
    } catch (error) {
      this.mergeAfresh.add(id);
      throw error;
    }
    this.mergeAfresh.delete(id);
    const { outcome, commit } = merge;
    this.events.mergeUpdate(task, outcome.kind === 'merged' ? 'merged' : 'conflict', outcome.detail, commit);
    await this.apply(task, outcome);
  }

  private async workspaceOf(host: ChangeHost, id: number): Promise<TaskWorkspace> {
    const prepared = await host.workspaces.prepare(id);
    if (!prepared.ok) throw new PipelineFault('workspace', `could not prepare the workspace of task ${id}: ${prepared.message}`);
    return prepared.workspace;
  }

  // Advances `task` by `outcome`, persists it and tells what changed; undefined when the outcome no longer applies.
  private async apply(task: Task, outcome: StageOutcome): Promise<Task | undefined> {
    const next = advance(task, outcome, this.options.settings, new Date());
    if (!next.ok) {
      this.options.logger.error({ task: task.id, outcome: outcome.kind, reason: next.message }, 'a run result did not apply to its task');
      return undefined;
    }
    await this.save(next.task);
    await this.settled(task, next.task);
    return next.task;
  }

  // What follows a task's change: its events, and its workspace removed once it has ended.
  private async settled(before: Task, after: Task): Promise<void> {
    this.events.phaseChange(after, before.stage);
    await this.showInSource(before, after);
    if (after.stage === 'hitl' && after.status === 'hitl' && before.status !== 'hitl') this.events.hitlEscalation(after);
    this.events.queueUpdate(this.store.list());
    if (nextStep(after).kind === 'none') await this.host?.workspaces.remove(after.id);
  }

  // The source shows the move (labels, comments); if it cannot now, its next poll catches up.
  private async showInSource(before: Task, after: Task): Promise<void> {
    try {
      await this.source?.moved(before, after);
      this.faults.worked('source');
    } catch (error) {
      this.faults.failed('source', after.id, error, 'the task source could not show a move; its next poll catches up');
    }
  }

  private async save(task: Task): Promise<void> {
    try {
      await this.store.save(task);
    } catch (error) {
      throw new PipelineFault('store', `could not save task ${task.id}: ${errorMessage(error)}`);
    }
  }

  private stageContext(host: ChangeHost, templates: PromptTemplates, signal: AbortSignal): StageRunContext {
    const { settings, dataRoot, loadRunner: runner } = this.options;
    return { settings, dataRoot, runner, host, templates, signal, events: this.events, env: agentEnvironment(process.env) };
  }
}
