import { describe, expect, it } from '@jest/globals';
import { parsePlan, parseReview, parseTriage, stageOutcome } from '../src/pipeline/agents/markers.js';
import type { AgentExit } from '../src/pipeline/agents/command-agent.js';

function ran(lines: string[], exit: Partial<AgentExit> = {}): { ok: true } & AgentExit {
  return { ok: true, exitCode: 0, signal: null, timedOut: false, aborted: false, stdoutLines: lines, droppedStdoutLines: 0, transcriptError: null, durationMs: 5, ...exit };
}

describe('triage markers', () => {
  it('reads the last JSON object line with a boolean "ready"', () => {
    expect(parseTriage(['thinking…', '{"ready": false, "reasons": ["no body"]}', '  {"ready": true}  '])).toEqual({ found: { kind: 'triaged', ready: true, reasons: [] } });
    expect(parseTriage(['{"ready": false, "reasons": ["which file?", "no tests named"]}', '{"other": 1}'])).toEqual({
      found: { kind: 'triaged', ready: false, reasons: ['which file?', 'no tests named'] },
    });
  });

  it('refuses a "ready" that is no boolean, reasons that are no strings, and prose', () => {
    expect(parseTriage(['{"ready": "yes"}'])).toEqual({ found: null, problem: '"ready" is "yes", not true or false' });
    expect(parseTriage(['{"ready": false, "reasons": "vague"}'])).toEqual({ found: null, problem: '"reasons" is not a list of strings' });
    expect(parseTriage(['ready: true', '{"ready": tru}', '[{"ready": true}]'])).toEqual({ found: null, problem: null });
  });
});

describe('plan markers', () => {
  it('reads the last complete PLAN block, and ALREADY_SATISFIED when it comes last', () => {
    expect(parsePlan(['PLAN_START', 'draft', 'PLAN_END', 'PLAN_START', '', '  1. do it', '2. test it', '', 'PLAN_END'])).toEqual({ found: { kind: 'planned', plan: '1. do it\n2. test it' } });
    expect(parsePlan(['PLAN_START', 'x', 'PLAN_END', 'ALREADY_SATISFIED_START', 'greet() exists in src/greet.ts', 'ALREADY_SATISFIED_END'])).toEqual({
      found: { kind: 'already-satisfied', explanation: 'greet() exists in src/greet.ts' },
    });
  });

  it('refuses a block that never ends, an empty plan, and markers inside a line', () => {
    expect(parsePlan(['PLAN_START', 'half a plan'])).toEqual({ found: null, problem: 'a PLAN_START or ALREADY_SATISFIED_START without its _END line' });
    expect(parsePlan(['PLAN_START', '  ', 'PLAN_END'])).toEqual({ found: null, problem: 'the PLAN_START … PLAN_END block is empty' });
    expect(parsePlan(['my PLAN_START is', 'PLAN_END'])).toEqual({ found: null, problem: null });
  });
});

describe('review markers', () => {
  it('reads the verdict and summary, and keeps the other lines as the feedback', () => {
    expect(parseReview(['', 'src/a.ts: the loop never ends', 'tests: none for the error path', 'VERDICT: REQUEST_CHANGES', 'SUMMARY: fix the loop, add a test', ''])).toEqual({
      found: { kind: 'reviewed', verdict: 'request-changes', summary: 'fix the loop, add a test', feedback: 'src/a.ts: the loop never ends\ntests: none for the error path' },
    });
    expect(parseReview(['VERDICT: REQUEST_CHANGES', 'on second thought', 'VERDICT:   APPROVE  '])).toEqual({ found: { kind: 'reviewed', verdict: 'approve', summary: '', feedback: 'on second thought' } });
  });

  it('refuses a verdict it does not know', () => {
    expect(parseReview(['VERDICT: COMMENT', 'SUMMARY: meh'])).toEqual({ found: null, problem: 'VERDICT: COMMENT is neither APPROVE nor REQUEST_CHANGES' });
    expect(parseReview(['verdict: approve', 'I APPROVE'])).toEqual({ found: null, problem: null });
  });
});

describe('stageOutcome', () => {
  it('takes a marker at its word whatever the exit code', () => {
    expect(stageOutcome('review', ran(['VERDICT: APPROVE', 'SUMMARY: ok'], { exitCode: 1 }))).toMatchObject({ kind: 'reviewed', verdict: 'approve' });
    expect(stageOutcome('triage', ran(['{"ready": true}'], { exitCode: null, signal: 'SIGSEGV' }))).toMatchObject({ kind: 'triaged', ready: true });
  });

  it('fails a run without a marker, naming the exit and a malformed marker', () => {
    expect(stageOutcome('plan', ran(['no plan']))).toEqual({ kind: 'failed', reason: 'no-marker', detail: 'the agent exited 0 with no plan marker in its output' });
    expect(stageOutcome('plan', ran(['PLAN_START'], { exitCode: 4 }))).toEqual({
      kind: 'failed',
      reason: 'exit-non-zero',
      detail: 'the agent exited with code 4, with a malformed plan marker: a PLAN_START or ALREADY_SATISFIED_START without its _END line',
    });
  });

  it('finishes implement and hitl on exit 0, and fails them on a non-zero exit or a signal', () => {
    expect(stageOutcome('implement', ran([]))).toEqual({ kind: 'finished' });
    expect(stageOutcome('hitl', ran(['VERDICT: APPROVE']))).toEqual({ kind: 'finished' });
    expect(stageOutcome('hitl', ran([], { exitCode: null, signal: 'SIGTERM' }))).toEqual({ kind: 'failed', reason: 'exit-non-zero', detail: 'the agent was ended by SIGTERM' });
  });

  it('fails a timed-out, aborted or unstarted run even with a marker', () => {
    expect(stageOutcome('triage', ran(['{"ready": true}'], { timedOut: true, exitCode: null, signal: 'SIGKILL' }))).toMatchObject({ kind: 'failed', reason: 'timed-out' });
    expect(stageOutcome('triage', ran(['{"ready": true}'], { aborted: true }))).toMatchObject({ kind: 'failed', reason: 'aborted' });
    expect(stageOutcome('implement', { ok: false, reason: 'command-not-found', message: 'no such agent' })).toEqual({ kind: 'failed', reason: 'not-started', detail: 'no such agent' });
  });
});
