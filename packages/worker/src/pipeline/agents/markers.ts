import type { AgentStage } from '@repovisor/protocol';
import type { CommandAgentResult } from './command-agent.js';

// The agents' marker contract, read from an agent's stdout lines.
// A marker is a line of its own (surrounding blanks ignored); when an agent prints
// one several times, the last complete one is its answer (an agent may think aloud
// before it answers).

/** What a stage run decided, read from its markers, or why it is a failed attempt. */
export type StageOutcome =
  | { kind: 'triaged'; ready: boolean; reasons: string[] }
  | { kind: 'planned'; plan: string }
  | { kind: 'already-satisfied'; explanation: string }
  | { kind: 'reviewed'; verdict: 'approve' | 'request-changes'; summary: string; feedback: string }
  /** implement and hitl have no marker: the commits the run left are the outcome. */
  | { kind: 'finished' }
  | { kind: 'failed'; reason: 'not-started' | 'timed-out' | 'aborted' | 'exit-non-zero' | 'no-marker'; detail: string };

type Marker = Exclude<StageOutcome, { kind: 'finished' } | { kind: 'failed' }>;
/** A marker read, none, or one that is there but wrong (what is wrong in `problem`). */
type MarkerRead = { found: Marker } | { found: null; problem: string | null };

/** triage: the last JSON object line with a boolean `"ready"`; `"reasons"`, when there, a list of strings. */
export function parseTriage(lines: readonly string[]): MarkerRead {
  let problem: string | null = null;
  for (let index = lines.length - 1; index >= 0; index -= 1) {
    const line = lines[index]!.trim();
    if (!line.startsWith('{') || !line.endsWith('}')) continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      continue;
    }
    if (typeof value !== 'object' || value === null || !('ready' in value)) continue;
    const { ready, reasons = [] } = value as { ready: unknown; reasons?: unknown };
    if (typeof ready !== 'boolean') problem ??= `"ready" is ${JSON.stringify(ready)}, not true or false`;
    else if (!Array.isArray(reasons) || !reasons.every((reason) => typeof reason === 'string')) problem ??= '"reasons" is not a list of strings';
    else return { found: { kind: 'triaged', ready, reasons } };
  }
  return { found: null, problem };
}

/** The text of the last complete `start` … `end` block, blank lines at its ends dropped; null without one. */
function lastBlock(lines: readonly string[], start: string, end: string): { text: string; at: number } | null {
  let found: { text: string; at: number } | null = null;
  let opened = -1;
  for (let index = 0; index < lines.length; index += 1) {
    const line = lines[index]!.trim();
    if (line === start) opened = index;
    else if (line === end && opened !== -1) {
      found = { text: lines.slice(opened + 1, index).join('\n').trim(), at: index };
      opened = -1;
    }
  }
  return found;
}

/** plan: the last complete `PLAN_START` … `PLAN_END` or `ALREADY_SATISFIED_START` … `ALREADY_SATISFIED_END` block, not empty. */
export function parsePlan(lines: readonly string[]): MarkerRead {
  const plan = lastBlock(lines, 'PLAN_START', 'PLAN_END');
  const satisfied = lastBlock(lines, 'ALREADY_SATISFIED_START', 'ALREADY_SATISFIED_END');
  if (plan === null && satisfied === null) {
    const opened = lines.some((line) => ['PLAN_START', 'ALREADY_SATISFIED_START'].includes(line.trim()));
    return { found: null, problem: opened ? 'a PLAN_START or ALREADY_SATISFIED_START without its _END line' : null };
  }
  if (satisfied !== null && (plan === null || satisfied.at > plan.at)) {
    return { found: { kind: 'already-satisfied', explanation: satisfied.text } };
  }
  if (plan === null || plan.text === '') return { found: null, problem: 'the PLAN_START … PLAN_END block is empty' };
  return { found: { kind: 'planned', plan: plan.text } };
}

const VERDICT = /^VERDICT:\s*(\S.*?)\s*$/;
const SUMMARY = /^SUMMARY:\s*(.*?)\s*$/;

/**
 * review: the last `VERDICT: APPROVE` or `VERDICT: REQUEST_CHANGES` line and
 * the last `SUMMARY: <one line>` (empty when missing). The feedback is every
 * other stdout line, blank lines at its ends dropped: the findings the
 * reviewer wrote, which the next implement run is given.
 */
export function parseReview(lines: readonly string[]): MarkerRead {
  let verdict: string | null = null;
  let summary = '';
  const feedback: string[] = [];
  for (const raw of lines) {
    const line = raw.trim();
    const verdictMatch = VERDICT.exec(line);
    const summaryMatch = SUMMARY.exec(line);
    if (verdictMatch !== null) verdict = verdictMatch[1]!;
    else if (summaryMatch !== null) summary = summaryMatch[1]!;
    else feedback.push(raw);
  }
  if (verdict === null) return { found: null, problem: null };
  if (verdict !== 'APPROVE' && verdict !== 'REQUEST_CHANGES') {
    return { found: null, problem: `VERDICT: ${verdict} is neither APPROVE nor REQUEST_CHANGES` };
  }
  return {
    found: { kind: 'reviewed', verdict: verdict === 'APPROVE' ? 'approve' : 'request-changes', summary, feedback: feedback.join('\n').trim() },
  };
}

const PARSERS: Record<Exclude<AgentStage, 'implement' | 'hitl'>, (lines: readonly string[]) => MarkerRead> = {
  triage: parseTriage,
  plan: parsePlan,
  review: parseReview,
};

/**
 * The outcome of one stage run. The exit code is advisory, except that a
 * non-zero exit (or death by a signal) with no marker is a failed attempt; a
 * run that timed out, was aborted or never started is one whatever it printed.
 * Stages with a marker fail without one; implement and hitl then `finished`.
 */
export function stageOutcome(stage: AgentStage, result: CommandAgentResult): StageOutcome {
  if (!result.ok) return { kind: 'failed', reason: 'not-started', detail: result.message };
  if (result.timedOut) return { kind: 'failed', reason: 'timed-out', detail: `the agent ran past agent_timeout_ms (${Math.round(result.durationMs)} ms) and was ended` };
  if (result.aborted) return { kind: 'failed', reason: 'aborted', detail: 'the agent was stopped with its runtime' };
  const exit = result.exitCode === 0 ? null : result.signal !== null ? `was ended by ${result.signal}` : `exited with code ${result.exitCode}`;
  if (stage === 'implement' || stage === 'hitl') {
    return exit === null ? { kind: 'finished' } : { kind: 'failed', reason: 'exit-non-zero', detail: `the agent ${exit}` };
  }
  const read = PARSERS[stage](result.stdoutLines);
  if (read.found !== null) return read.found;
  const missing = read.problem === null ? `no ${stage} marker in its output` : `a malformed ${stage} marker: ${read.problem}`;
  if (exit !== null) return { kind: 'failed', reason: 'exit-non-zero', detail: `the agent ${exit}, with ${missing}` };
  return { kind: 'failed', reason: 'no-marker', detail: `the agent exited 0 with ${missing}` };
}
