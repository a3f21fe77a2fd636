import { claudeStreamDecoder } from './claude-stream.js';
import { commitLeftovers } from './commit-leftovers.js';
import { codexStreamDecoder } from './codex-stream.js';
import { runCommandAgent } from './command-agent.js';
import type { CommandAgentOptions, CommandAgentResult } from './command-agent.js';
import { kindCommand } from './kind-commands.js';
import type { KindAgentSpec } from './kind-commands.js';
import { serviceFailure } from './service-failures.js';
import type { ServiceFailure } from './service-failures.js';
import type { StreamDecoder } from './stream-decoder.js';

/** Options of {@link runKindAgent}: a command agent's, with the kind instead of the command. */
export interface KindAgentOptions extends Omit<CommandAgentOptions, 'command' | 'events' | 'onStderrLine'> {
  agent: KindAgentSpec;
}

/** A `kind` agent's run: as a command agent's, and what it said about its service when that failed. */
export interface KindAgentRun {
  result: CommandAgentResult;
  /** A failed sign-in or exhausted credits: not the task's fault. */
  service: ServiceFailure | null;
  /** Why the changes an implement or hitl run left uncommitted could not be committed, or null. */
  leftoversError: string | null;
}

// The most stderr lines kept for telling a service failure (the last ones).
const MAX_STDERR_LINES = 200;

function decoderOf(kind: KindAgentSpec['kind']): StreamDecoder {
  return kind === 'claude' ? claudeStreamDecoder() : codexStreamDecoder();
}

/** The side file of a run's raw JSON events, next to its transcript: `<stage>-<attempt>.events.jsonl`. */
function eventsPathOf(transcriptPath: string): string {
  return transcriptPath.replace(/\.log$/, '') + '.events.jsonl';
}

/**
 * Runs Claude Code or Codex for one stage run: the command line of its kind
 * and stage, then as a command agent (prompt on stdin, own process group,
 * timeout, transcript, agent record), with its JSON events decoded in front
 * of stdout. A failed run is checked for a failed sign-in or exhausted
 * credits in the stream's error messages and stderr; what a good implement
 * or hitl run left uncommitted is committed.
 */
export async function runKindAgent(options: KindAgentOptions): Promise<KindAgentRun> {
  const { agent, ...rest } = options;
  const decoder = decoderOf(agent.kind);
  const stderr: string[] = [];
  const result = await runCommandAgent({
    ...rest,
    command: kindCommand(agent, options.context.stage),
    events: { decoder, eventsPath: eventsPathOf(options.transcriptPath) },
    onStderrLine: (line) => {
      stderr.push(line);
      if (stderr.length > MAX_STDERR_LINES) stderr.shift();
    },
  });
  if (!result.ok || result.aborted || result.timedOut) return { result, service: null, leftoversError: null };
  const failed = result.exitCode !== 0 || decoder.failures.length > 0;
  if (failed) return { result, service: serviceFailure(agent.kind, [...decoder.failures, ...stderr], new Date()), leftoversError: null };
  const { stage } = options.context;
  if (stage !== 'implement' && stage !== 'hitl') return { result, service: null, leftoversError: null };
  const leftovers = await commitLeftovers(options.context);
  if (leftovers.ok && leftovers.committed) options.onLine?.('· committed the changes the agent left uncommitted');
  return { result, service: null, leftoversError: leftovers.ok ? null : leftovers.message };
}
