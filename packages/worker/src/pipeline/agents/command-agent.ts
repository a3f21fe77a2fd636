import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { statSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { exitsWithin, signalGroup, terminateGroup } from '@repovisor/kit';
import type { Result } from '@repovisor/kit';
import type { AgentStage } from '@repovisor/protocol';
import { recordAgent } from './agent-registry.js';
import { openTranscript } from './agent-transcript.js';
import { liveGroupMembers, untilGroupGone } from './group-members.js';
import { LineSplitter } from './line-splitter.js';
import { startFailure } from './start-failure.js';
import type { AgentStartFailure } from './start-failure.js';
import type { StreamDecoder } from './stream-decoder.js';

/** How many stdout lines a result keeps (the last ones); the transcript file keeps them all. */
const DEFAULT_MAX_STDOUT_LINES = 10_000;
/** How long the pipes may stay open after the group has ended (held by a process that left the group). */
const PIPE_DRAIN_MS = 1000;

/** The stage run an agent is started for: the values of its `REPOVISOR_*` environment. */
export interface AgentRunContext {
  stage: AgentStage;
  taskId: string;
  taskTitle: string;
  /** 1 for the first run of this stage for this task, then 2, 3 … */
  attempt: number;
  branch: string;
  /** Absolute path of the task's workspace; the agent's working directory. */
  workspace: string;
  baseBranch: string;
}

/** Options of {@link runCommandAgent}. */
export interface CommandAgentOptions {
  /** The program and its arguments (`AgentSpec`'s `command`). */
  command: readonly string[];
  context: AgentRunContext;
  /** Written to the agent's stdin, which is then closed. */
  prompt: string;
  /** The worker's data root: the agent is recorded under `<data_root>/agents/` while it runs. */
  dataRoot: string;
  /** The run's transcript file, e.g. `<data_root>/transcripts/issue-<id>/<stage>-<attempt>.log`. */
  transcriptPath: string;
  /** `agent_timeout_ms`: the whole group is ended after it, and the run has timed out. */
  timeoutMs: number;
  /** How long the group gets between SIGTERM and SIGKILL. */
  graceMs: number;
  /** Aborting it (the runtime stops) ends the group the same way. */
  signal?: AbortSignal;
  /** Told every stdout line, in order, as it arrives. */
  onLine?: (line: string) => void;
  /** The environment the `REPOVISOR_*` variables are added to (default: the worker's). */
  env?: NodeJS.ProcessEnv;
  maxStdoutLines?: number;
  /**
   * A `kind` agent's JSON events: each stdout line is decoded, its readable
   * lines go to `onLine` and the transcript, the assistant's text to
   * `stdoutLines`, and the raw line to the side file `eventsPath`.
   */
  events?: { decoder: StreamDecoder; eventsPath: string };
  /** Told every stderr line, in order. */
  onStderrLine?: (line: string) => void;
}

/** How an agent run ended. */
export interface AgentExit {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  /** It outlived `timeoutMs` and was ended. */
  timedOut: boolean;
  /** The signal was aborted and the run ended for it (or never started). */
  aborted: boolean;
  /** The last `maxStdoutLines` stdout lines, in order (for a decoded stream: the assistant's text lines). */
  stdoutLines: string[];
  /** How many earlier stdout lines did not fit in `stdoutLines`. */
  droppedStdoutLines: number;
  /** Why the transcript file is incomplete (a failed write), or null. */
  transcriptError: string | null;
  durationMs: number;
}

/** An agent run: how it ended, or why it could not start. */
export type CommandAgentResult = Result<AgentExit, AgentStartFailure>;

/** The agent's environment: the worker's, less its control-port secret, plus the run's `REPOVISOR_*` variables (the pipeline's contract). */
function agentEnvironment(base: NodeJS.ProcessEnv, context: AgentRunContext): NodeJS.ProcessEnv {
  // The token lets its holder speak for the worker on the supervisor's control port; an agent has no business there.
  const { REPOVISOR_TOKEN: _token, ...inherited } = base;
  return {
    ...inherited,
    REPOVISOR_STAGE: context.stage,
    REPOVISOR_TASK_ID: context.taskId,
    REPOVISOR_TASK_TITLE: context.taskTitle,
    REPOVISOR_ATTEMPT: String(context.attempt),
    REPOVISOR_BRANCH: context.branch,
    REPOVISOR_WORKSPACE: context.workspace,
    REPOVISOR_BASE_BRANCH: context.baseBranch,
  };
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/**
 * Runs one `command` agent for one stage run: in the task's workspace, the
 * prompt on stdin, leading its own process group, recorded in the data root
 * while it runs. Every stdout line goes to `onLine` and the transcript file.
 * When the agent exits, whatever it left running in its group is ended too.
 */
export async function runCommandAgent(options: CommandAgentOptions): Promise<CommandAgentResult> {
  const started = performance.now();
  const { context } = options;
  if (options.signal?.aborted === true) {
    return { ok: true, exitCode: null, signal: null, timedOut: false, aborted: true, stdoutLines: [], droppedStdoutLines: 0, transcriptError: null, durationMs: 0 };
  }
  const [file, ...args] = options.command;
  if (file === undefined) throw new TypeError('runCommandAgent: the command is empty');
  if (!isDirectory(context.workspace)) return startFailure(options.command, context, { code: 'ENOWORKSPACE' });

  const transcript = await openTranscript(options.transcriptPath);
  const eventsFile = options.events === undefined ? undefined : await openTranscript(options.events.eventsPath);
  const closeFiles = async (): Promise<string | null> => {
    const failures = await Promise.all([transcript.close(), eventsFile?.close() ?? null]);
    return failures.find((failure) => failure !== null) ?? null;
  };
  let child: ChildProcess;
  try {
    child = spawn(file, args, { cwd: context.workspace, env: agentEnvironment(options.env ?? process.env, context), detached: true, stdio: ['pipe', 'pipe', 'pipe'] });
  } catch (error) {
    await closeFiles();
    return startFailure(options.command, context, error);
  }
  const pid = child.pid;
  if (pid === undefined) {
    const [error] = (await once(child, 'error').catch((reason: unknown) => [reason])) as unknown[];
    await closeFiles();
    return startFailure(options.command, context, error);
  }
  let removeRecord: () => Promise<void>;
  try {
    removeRecord = recordAgent(options.dataRoot, { pid, taskId: context.taskId, stage: context.stage });
  } catch (error) {
    // Unrecorded, it could outlive a killed worker: it does not run at all.
    signalGroup(pid, 'SIGKILL');
    await once(child, 'exit');
    await closeFiles();
    return startFailure(options.command, context, { code: 'ENORECORD', message: (error as Error).message });
  }
  // After a good spawn, 'error' only reports a failed kill(); 'exit' still comes.
  child.on('error', () => undefined);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  const closed = once(child, 'close').catch(() => undefined);

  const maxLines = options.maxStdoutLines ?? DEFAULT_MAX_STDOUT_LINES;
  const stdoutLines: string[] = [];
  let droppedStdoutLines = 0;
  const keep = (line: string): void => {
    stdoutLines.push(line);
    if (stdoutLines.length > maxLines) {
      stdoutLines.shift();
      droppedStdoutLines += 1;
    }
  };
  const show = (line: string): void => {
    transcript.stdout(line);
    options.onLine?.(line);
  };
  const decoder = options.events?.decoder;
  const stdout = new LineSplitter((line) => {
    if (decoder === undefined) {
      keep(line);
      show(line);
      return;
    }
    eventsFile?.stdout(line);
    const decoded = decoder.line(line);
    decoded.shown.forEach(show);
    decoded.text.forEach(keep);
  });
  const stderr = new LineSplitter((line) => {
    transcript.stderr(line);
    options.onStderrLine?.(line);
  });
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => stdout.push(chunk));
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => stderr.push(chunk));
  // An agent that exits without reading its prompt closes the pipe under us: EPIPE is no failure of ours.
  child.stdin?.on('error', () => undefined);
  child.stdin?.end(options.prompt);

  let ending: Promise<unknown> | undefined;
  const endGroup = (): Promise<unknown> =>
    (ending ??= terminateGroup(pid, { exited: untilGroupGone(pid), graceMs: options.graceMs, stillOurs: () => liveGroupMembers(pid).length > 0 }));
  let timedOut = false;
  let aborted = false;
  const timer = setTimeout(() => {
    timedOut = true;
    void endGroup();
  }, options.timeoutMs);
  const onAbort = (): void => {
    aborted = true;
    void endGroup();
  };
  options.signal?.addEventListener('abort', onAbort, { once: true });

  const exit = await exited;
  clearTimeout(timer);
  options.signal?.removeEventListener('abort', onAbort);
  // What the agent left running in its group would outlive the run, and its record.
  if (ending !== undefined || liveGroupMembers(pid).length > 0) await endGroup();
  if (!(await exitsWithin(closed, PIPE_DRAIN_MS))) {
    // A process that left the group holds the pipes: stop reading them, the run is over.
    child.stdout?.removeAllListeners('data').destroy();
    child.stderr?.removeAllListeners('data').destroy();
  }
  stdout.end();
  stderr.end();
  const transcriptError = await closeFiles();
  await removeRecord();
  return { ok: true, exitCode: exit.code, signal: exit.signal, timedOut, aborted, stdoutLines, droppedStdoutLines, transcriptError, durationMs: performance.now() - started };
}
