import { join } from 'node:path';
import type { CommandAgentOptions } from '../../packages/worker/src/pipeline/agents/command-agent.js';
import { REPO_ROOT } from './paths.js';

/** A fixture agent of tests/fixtures/agents/, as the command that runs it. */
export function fixtureAgent(name: string): string[] {
  return [process.execPath, join(REPO_ROOT, 'tests', 'fixtures', 'agents', name)];
}

/** Options of a command agent run in `workspace` under `dataRoot`, with `overrides` on top. */
export function agentOptions(dataRoot: string, workspace: string, overrides: Partial<CommandAgentOptions> = {}): CommandAgentOptions {
  return {
    command: fixtureAgent('marker-agent.mjs'),
    context: { stage: 'plan', taskId: '42', taskTitle: 'Add a greeting', attempt: 2, branch: 'agent/issue-42', workspace, baseBranch: 'main' },
    prompt: 'Plan the greeting.\nSecond line of the prompt.',
    dataRoot,
    transcriptPath: join(dataRoot, 'transcripts', 'issue-42', 'plan-2.log'),
    timeoutMs: 600_000,
    graceMs: 500,
    ...overrides,
  };
}

/**
 * Process groups and pids a test's agents made, ended with SIGKILL by
 * {@link AgentProcesses.killAll} (call it from afterEach) even when the test failed.
 */
export class AgentProcesses {
  private readonly groups = new Set<number>();
  private readonly pids = new Set<number>();

  /** Notes the `agent <pid>` and `child <pid>` lines of tests/fixtures/agents/hanging-agent.mjs. */
  noteLine(line: string): void {
    const match = /^(agent|child) (\d+)$/.exec(line);
    if (match?.[1] === 'agent') this.groups.add(Number(match[2]));
    if (match?.[1] === 'child') this.pids.add(Number(match[2]));
  }

  /** Notes a process group to end. */
  noteGroup(pgid: number): void {
    this.groups.add(pgid);
  }

  /** The pid of the agent a noted `agent <pid>` line named, and of its child. */
  noted(): { agent: number | undefined; child: number | undefined } {
    return { agent: [...this.groups][0], child: [...this.pids][0] };
  }

  /** SIGKILLs every noted group and pid that is still there. */
  killAll(): void {
    const kill = (target: number): void => {
      try {
        process.kill(target, 'SIGKILL');
      } catch {
        // Already gone.
      }
    };
    for (const pgid of this.groups) kill(-pgid);
    for (const pid of this.pids) kill(pid);
    this.groups.clear();
    this.pids.clear();
  }
}
