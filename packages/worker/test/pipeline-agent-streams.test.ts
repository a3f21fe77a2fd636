import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { claudeStreamDecoder } from '../src/pipeline/agents/claude-stream.js';
import { codexStreamDecoder } from '../src/pipeline/agents/codex-stream.js';
import { parsePlan, parseReview, parseTriage } from '../src/pipeline/agents/markers.js';
import type { StreamDecoder } from '../src/pipeline/agents/stream-decoder.js';

// The decoders on the recorded streams the fixture `claude` and `codex` replay
// (tests/fixtures/agent-streams/): readable lines, the assistant's text for the markers.

const STREAMS = fileURLToPath(new URL('../../../tests/fixtures/agent-streams/', import.meta.url));

function decode(kind: 'claude' | 'codex', name: string): { shown: string[]; text: string[]; failures: readonly string[] } {
  const decoder: StreamDecoder = kind === 'claude' ? claudeStreamDecoder() : codexStreamDecoder();
  const shown: string[] = [];
  const text: string[] = [];
  for (const raw of readFileSync(`${STREAMS}${kind}-${name}.jsonl`, 'utf8').split('\n').filter((line) => line !== '')) {
    const decoded = decoder.line(raw);
    shown.push(...decoded.shown);
    text.push(...decoded.text);
  }
  return { shown, text, failures: decoder.failures };
}

describe('the Claude Code stream-json decoder', () => {
  it('shows the session, the assistant\'s text and one line a tool call, and gives only the text to the marker parsers', () => {
    const triage = decode('claude', 'triage');
    expect(triage.shown).toEqual([
      '· session 4f2a9c1e-7b3d-4e8a-9c0f-2d6b1a5e8f70 (model claude-haiku-4-5)',
      'The task is small and clear.',
      '· Bash: git log --oneline -3',
      '{"ready": true, "reasons": ["the task says which file to add"]}',
      '· done, 2 turns',
    ]);
    expect(triage.text).toEqual(['The task is small and clear.', '{"ready": true, "reasons": ["the task says which file to add"]}']);
    expect(parseTriage(triage.text).found).toEqual({ kind: 'triaged', ready: true, reasons: ['the task says which file to add'] });
    expect(triage.failures).toEqual([]);
  });

  it('reads the plan and the verdict in the assistant\'s text, the review\'s feedback without the progress lines', () => {
    expect(parsePlan(decode('claude', 'plan').text).found).toEqual({ kind: 'planned', plan: "1. Add the task's file.\n2. Commit it." });
    expect(parseReview(decode('claude', 'review').text).found).toEqual({
      kind: 'reviewed',
      verdict: 'approve',
      summary: "adds the task's file, nothing else",
      feedback: 'The change adds the file the task asks for.',
    });
    expect(decode('claude', 'implement').shown).toContain('· Write: /workspace/claude-task.txt');
  });

  it('keeps the message of a failed result: a failed sign-in, a usage limit', () => {
    expect(decode('claude', 'auth').failures).toEqual(['Invalid API key · Please run /login']);
    const credits = decode('claude', 'credits');
    expect(credits.failures).toEqual(["You've hit your limit · resets 3pm (UTC)"]);
    expect(credits.shown.at(-1)).toBe("· the run failed (success): You've hit your limit · resets 3pm (UTC)");
  });

  it('answers with the result\'s text when no assistant message came, and shows a line that is not an event as it is', () => {
    const decoder = claudeStreamDecoder();
    expect(decoder.line('not json')).toEqual({ shown: ['not json'], text: [] });
    expect(decoder.line('{"type":"result","subtype":"success","is_error":false,"num_turns":1,"result":"VERDICT: APPROVE"}')).toEqual({ shown: ['VERDICT: APPROVE', '· done, 1 turns'], text: ['VERDICT: APPROVE'] });
  });
});

describe('the Codex exec --json decoder', () => {
  it('shows commands, reasoning and file changes as progress lines, and the agent\'s messages as text', () => {
    const triage = decode('codex', 'triage');
    expect(triage.shown).toEqual([
      '· thread 0199a213-81c0-7800-8aa1-bbab2a035a53',
      '· thinking: **Reading the task**',
      "· $ bash -lc 'git log --oneline -3' (exit 0)",
      '{"ready": true, "reasons": ["the task says which file to add"]}',
      '· turn done (2400 tokens in, 180 out)',
    ]);
    expect(parseTriage(triage.text).found).toMatchObject({ kind: 'triaged', ready: true });
    expect(parsePlan(decode('codex', 'plan').text).found).toMatchObject({ kind: 'planned' });
    expect(parseReview(decode('codex', 'review').text).found).toMatchObject({ kind: 'reviewed', verdict: 'approve' });
    expect(decode('codex', 'implement').shown).toContain('· changed add /workspace/codex-task.txt');
  });

  it('keeps the error and turn.failed messages, but not a reconnect', () => {
    expect(decode('codex', 'auth').failures).toEqual([
      'unexpected status 401 Unauthorized: Missing bearer or basic authentication in header',
      'unexpected status 401 Unauthorized: Missing bearer or basic authentication in header',
    ]);
    expect(decode('codex', 'credits').failures[0]).toMatch(/^You've hit your usage limit\./);
    const decoder = codexStreamDecoder();
    decoder.line('{"type":"error","message":"Reconnecting... 1/5 (stream disconnected before completion)"}');
    expect(decoder.failures).toEqual([]);
  });
});
