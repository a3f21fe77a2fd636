import type { AgentSpec, AgentStage } from '@repovisor/protocol';

/** An agent given by kind: Claude Code or Codex. */
export type KindAgentSpec = Extract<AgentSpec, { kind: string }>;

/** The stages that only read the workspace: their agent runs without write tools. */
const READ_ONLY_STAGES: ReadonlySet<AgentStage> = new Set(['triage', 'plan', 'review']);

// Claude Code's model for each stage when `model` is not given (HydraFlow's defaults; hitl works as implement does).
const CLAUDE_DEFAULT_MODELS: Record<AgentStage, string> = { triage: 'haiku', plan: 'opus', implement: 'opus', review: 'sonnet', hitl: 'opus' };

// HydraFlow's permission mode: a headless run has nobody to answer a permission prompt.
const CLAUDE_DEFAULT_PERMISSION_MODE = 'bypassPermissions';
// The tools that write files; Bash stays, for reading (git log, tests) in plan and review.
const CLAUDE_WRITE_TOOLS = 'Write,Edit,NotebookEdit';

/** Codex's sandbox for a stage when `permission_mode` is not given. */
function codexSandbox(stage: AgentStage): string {
  return READ_ONLY_STAGES.has(stage) ? 'read-only' : 'workspace-write';
}

/**
 * The command line of a `kind` agent for `stage`. The prompt goes to stdin,
 * not argv: a prompt holding a task's body, plan and review feedback can
 * exceed the kernel's argument limit (E2BIG), and argv is visible to every
 * user in `ps`.
 */
export function kindCommand(agent: KindAgentSpec, stage: AgentStage): string[] {
  switch (agent.kind) {
    case 'claude': {
      const model = agent.model ?? CLAUDE_DEFAULT_MODELS[stage];
      const mode = agent.permission_mode ?? CLAUDE_DEFAULT_PERMISSION_MODE;
      const command = ['claude', '-p', '--output-format', 'stream-json', '--verbose', '--model', model, '--permission-mode', mode];
      return READ_ONLY_STAGES.has(stage) ? [...command, '--disallowedTools', CLAUDE_WRITE_TOOLS] : command;
    }
    case 'codex': {
      // Without `model`, Codex uses the model of its own configuration (~/.codex/config.toml).
      const model = agent.model === undefined ? [] : ['--model', agent.model];
      // `-` reads the prompt from stdin; a workspace is a git worktree, the check is for folders that are not.
      return ['codex', 'exec', '--json', ...model, '--sandbox', agent.permission_mode ?? codexSandbox(stage), '--skip-git-repo-check', '-'];
    }
    default:
      return unreachable(agent.kind);
  }
}

function unreachable(value: never): never {
  throw new Error(`unreachable agent kind: ${String(value)}`);
}
