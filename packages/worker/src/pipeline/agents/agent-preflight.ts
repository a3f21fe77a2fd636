import { execFile } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, isAbsolute, join } from 'node:path';
import { AGENT_STAGES } from '@repovisor/protocol';
import type { AgentSpec, PipelineSettings } from '@repovisor/protocol';

/** The program an agent runs: its command's first word, or the kind's executable. */
function programOf(agent: AgentSpec): string {
  return 'command' in agent ? (agent.command[0] ?? '') : agent.kind;
}

/** The executable `program` names, looked up on `PATH` when it has no slash; undefined when there is none. */
function findExecutable(program: string, path: string): string | undefined {
  const candidates = program.includes('/') ? [program] : path.split(delimiter).filter((folder) => folder !== '').map((folder) => join(folder, program));
  return candidates.find((candidate) => {
    try {
      accessSync(candidate, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

// How long `claude --version` / `codex --version` may take: it only prints a version.
const VERSION_TIMEOUT_MS = 15_000;

/** Why `<kind> --version` did not answer, or null when it printed its version. */
function versionProblem(executable: string, kind: string, env: NodeJS.ProcessEnv): Promise<string | null> {
  return new Promise((resolve) => {
    execFile(executable, ['--version'], { env, timeout: VERSION_TIMEOUT_MS, killSignal: 'SIGKILL', maxBuffer: 64 * 1024 }, (error, _stdout, stderr) => {
      if (error === null) return resolve(null);
      const why = error.killed ? `did not answer within ${VERSION_TIMEOUT_MS / 1000} s` : `failed: ${stderr.trim() || error.message}`;
      resolve(`\`${kind} --version\` (${executable}) ${why}: reinstall ${kind === 'claude' ? 'Claude Code (npm install -g @anthropic-ai/claude-code)' : 'Codex (npm install -g @openai/codex)'}`);
    });
  });
}

/**
 * Checks, before any task runs, that every stage's agent can be started: its
 * program exists and is executable (on the worker's `PATH` for a bare name).
 * Resolves with what is wrong and how to fix it, or null; a missing agent is
 * one error for the repo at start, not a failed attempt for every task.
 */
export async function preflightAgents(settings: PipelineSettings, env: NodeJS.ProcessEnv): Promise<string | null> {
  const problems = new Map<string, string[]>();
  // A kind's executable, found, to ask its version once.
  const kinds = new Map<string, string>();
  for (const stage of AGENT_STAGES) {
    const agent = settings.stages[stage]?.agent ?? settings.agent;
    const program = programOf(agent);
    const executable = findExecutable(program, env.PATH ?? '');
    if (executable !== undefined) {
      if ('kind' in agent) kinds.set(agent.kind, executable);
      continue;
    }
    problems.set(program, [...(problems.get(program) ?? []), stage]);
  }
  if (problems.size === 0) {
    const answers = await Promise.all([...kinds].map(([kind, executable]) => versionProblem(executable, kind, env)));
    const failed = answers.filter((answer) => answer !== null);
    return failed.length === 0 ? null : failed.join('; ');
  }
  const lines = [...problems].map(([program, stages]) => {
    const where = program.includes('/') || isAbsolute(program) ? `${program} does not exist or is not executable` : `${program} is not on the worker's PATH (${env.PATH ?? ''})`;
    return `the agent of ${stages.join(', ')}: ${where}`;
  });
  const install = [...problems.keys()].some((program) => program === 'claude' || program === 'codex') ? ' (Claude Code: npm install -g @anthropic-ai/claude-code; Codex: npm install -g @openai/codex)' : '';
  return `${lines.join('; ')}: install it${install}, or fix the agent's command in repos.yaml (pipeline.agent or pipeline.stages.<stage>.agent)`;
}
