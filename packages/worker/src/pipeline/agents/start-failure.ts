import type { AgentRunContext } from './command-agent.js';

/** Why an agent could not be started; `message` says what, why and how to fix it. */
export interface AgentStartFailure {
  reason: 'command-not-found' | 'command-not-executable' | 'workspace-missing' | 'not-recorded' | 'spawn-failed';
  message: string;
}

/** The settings key an operator edits to change the agent of a stage. */
function settingOf(stage: string): string {
  return `pipeline.agent.command (or pipeline.stages.${stage}.agent.command)`;
}

/** The failure value for an agent `command` whose start failed with `error` (`code` ENOWORKSPACE: no workspace; ENORECORD: no record). */
export function startFailure(command: readonly string[], context: AgentRunContext, error: unknown): { ok: false } & AgentStartFailure {
  const program = command[0] ?? '';
  const shown = JSON.stringify(command);
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  switch (code) {
    case 'ENOWORKSPACE':
      return {
        ok: false,
        reason: 'workspace-missing',
        message: `Could not start the ${context.stage} agent ${shown} of task ${context.taskId}: its workspace ${context.workspace} is not a folder; the workspace must be made before the agent runs (a pipeline bug, or the folder was removed by hand).`,
      };
    case 'ENORECORD':
      return {
        ok: false,
        reason: 'not-recorded',
        message: `Did not run the ${context.stage} agent ${shown}: it could not be recorded in the data root's agents folder (${(error as Error).message}), and an unrecorded agent could outlive a killed worker; make the worker's data root writable.`,
      };
    case 'ENOENT':
      return {
        ok: false,
        reason: 'command-not-found',
        message: `Could not start the ${context.stage} agent ${shown}: "${program}" was not found (ENOENT) on PATH${program.includes('/') ? ` or relative to the workspace ${context.workspace}` : ''}; install it, or set ${settingOf(context.stage)} to a program that exists (an absolute path is safest).`,
      };
    case 'EACCES':
      return {
        ok: false,
        reason: 'command-not-executable',
        message: `Could not start the ${context.stage} agent ${shown}: "${program}" is not executable (EACCES); make it executable (chmod +x ${program}), or run it through its interpreter in ${settingOf(context.stage)}, e.g. ["node", "${program}"].`,
      };
    default:
      return {
        ok: false,
        reason: 'spawn-failed',
        message: `Could not start the ${context.stage} agent ${shown}: ${error instanceof Error ? error.message : String(error)}; check ${settingOf(context.stage)} and the worker's resources (processes, memory).`,
      };
  }
}
