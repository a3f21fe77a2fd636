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

/**
 * Checks, before any task runs, that every stage's agent can be started: its
 * program exists and is executable (on the worker's `PATH` for a bare name).
 * Resolves with what is wrong and how to fix it, or null; a missing agent is
 * one error for the repo at start, not a failed attempt for every task.
 */
export function preflightAgents(settings: PipelineSettings, env: NodeJS.ProcessEnv): Promise<string | null> {
  const problems = new Map<string, string[]>();
  for (const stage of AGENT_STAGES) {
    const agent = settings.stages[stage]?.agent ?? settings.agent;
    const program = programOf(agent);
    if (findExecutable(program, env.PATH ?? '') !== undefined) continue;
    problems.set(program, [...(problems.get(program) ?? []), stage]);
  }
  if (problems.size === 0) return Promise.resolve(null);
  const lines = [...problems].map(([program, stages]) => {
    const where = program.includes('/') || isAbsolute(program) ? `${program} does not exist or is not executable` : `${program} is not on the worker's PATH (${env.PATH ?? ''})`;
    return `the agent of ${stages.join(', ')}: ${where}`;
  });
  return Promise.resolve(`${lines.join('; ')}: install it, or fix the agent's command in repos.yaml (pipeline.agent or pipeline.stages.<stage>.agent)`);
}
