import { describe, expect, it } from '@jest/globals';
import { kindCommand } from '../src/pipeline/agents/kind-commands.js';
import { AUTH_RETRY_MS, CREDITS_DEFAULT_PAUSE_MS, MAX_PAUSE_MS, resetTimeOf, serviceFailure } from '../src/pipeline/agents/service-failures.js';

// The command lines of the agent kinds per stage, and the failures of their services.

const NOW = new Date('2026-03-02T10:00:00.000Z');

describe('the command line of an agent kind', () => {
  it('runs Claude Code in stream-json with HydraFlow\'s model per stage, plan and review without write tools', () => {
    expect(kindCommand({ kind: 'claude' }, 'implement')).toEqual(['claude', '-p', '--output-format', 'stream-json', '--verbose', '--model', 'opus', '--permission-mode', 'bypassPermissions']);
    expect(kindCommand({ kind: 'claude' }, 'review')).toEqual([
      'claude', '-p', '--output-format', 'stream-json', '--verbose', '--model', 'sonnet', '--permission-mode', 'bypassPermissions', '--disallowedTools', 'Write,Edit,NotebookEdit',
    ]);
    expect(kindCommand({ kind: 'claude' }, 'triage')).toContain('haiku');
    expect(kindCommand({ kind: 'claude' }, 'plan').slice(6)).toEqual(['opus', '--permission-mode', 'bypassPermissions', '--disallowedTools', 'Write,Edit,NotebookEdit']);
    expect(kindCommand({ kind: 'claude', model: 'claude-sonnet-4-5', permission_mode: 'plan' }, 'implement').slice(5)).toEqual(['--model', 'claude-sonnet-4-5', '--permission-mode', 'plan']);
  });

  it('runs Codex exec --json read-only in triage, plan and review, workspace-write in implement and hitl, the prompt from stdin', () => {
    expect(kindCommand({ kind: 'codex' }, 'plan')).toEqual(['codex', 'exec', '--json', '--sandbox', 'read-only', '--skip-git-repo-check', '-']);
    expect(kindCommand({ kind: 'codex' }, 'hitl')).toEqual(['codex', 'exec', '--json', '--sandbox', 'workspace-write', '--skip-git-repo-check', '-']);
    expect(kindCommand({ kind: 'codex', model: 'gpt-5-codex', permission_mode: 'danger-full-access' }, 'review')).toEqual([
      'codex', 'exec', '--json', '--model', 'gpt-5-codex', '--sandbox', 'danger-full-access', '--skip-git-repo-check', '-',
    ]);
  });
});

describe('the failures of an agent\'s service', () => {
  it('tells a failed sign-in, with how to sign in, tried again after a while', () => {
    for (const [kind, message] of [['claude', 'Invalid API key · Please run /login'], ['codex', 'unexpected status 401 Unauthorized: Missing bearer']] as const) {
      const failure = serviceFailure(kind, [message], NOW);
      expect(failure).toMatchObject({ kind: 'agent_auth', pauseUntil: new Date(NOW.getTime() + AUTH_RETRY_MS) });
      expect(failure?.message).toContain(kind === 'claude' ? '/login' : 'codex login');
    }
  });

  it('tells exhausted credits, paused until the reset time the message names, else for the default', () => {
    expect(serviceFailure('claude', ['Claude AI usage limit reached|1772450000'], NOW)).toMatchObject({ kind: 'agent_credits', pauseUntil: new Date(1_772_450_000_000) });
    // A reset years ahead is a misreading: no pause longer than a weekly limit's.
    expect(serviceFailure('claude', ['Claude AI usage limit reached|4102444800'], NOW)?.pauseUntil).toEqual(new Date(NOW.getTime() + MAX_PAUSE_MS));
    expect(serviceFailure('claude', ['Credit balance is too low'], NOW)).toMatchObject({ kind: 'agent_credits', pauseUntil: new Date(NOW.getTime() + CREDITS_DEFAULT_PAUSE_MS) });
    expect(serviceFailure('codex', ['ok', 'You\'ve hit your usage limit. Upgrade to Pro or try again in 2 hours 5 minutes.'], NOW)?.pauseUntil).toEqual(new Date('2026-03-02T12:05:00.000Z'));
    expect(serviceFailure('codex', ['some compile error'], NOW)).toBeNull();
  });

  it('reads a clock time in the zone the message names, the next one after now', () => {
    expect(resetTimeOf("You've hit your limit · resets 3pm (Europe/Berlin)", NOW)).toEqual(new Date('2026-03-02T14:00:00.000Z'));
    expect(resetTimeOf('Claude usage limit reached. Your limit will reset at 9am (UTC).', NOW)).toEqual(new Date('2026-03-03T09:00:00.000Z'));
    expect(resetTimeOf('resets 11:30pm (Asia/Kolkata)', new Date('2026-03-02T10:00:45.500Z'))).toEqual(new Date('2026-03-02T18:00:00.000Z'));
    expect(resetTimeOf('"resets_at":1777936568', NOW)).toEqual(new Date(1_777_936_568_000));
    expect(resetTimeOf('Please try again later.', NOW)).toBeNull();
  });
});
