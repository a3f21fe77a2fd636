/**
 * The environment agents start from: the worker's (the operator's `env:`
 * included), less the worker's own `REPOVISOR_*` settings. Those belong to
 * the worker (its token, data root, control port); an agent gets its run's
 * `REPOVISOR_*` variables instead, and nothing that would make it look like
 * a worker of this data root.
 */
export function agentEnvironment(workerEnv: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(workerEnv).filter(([name]) => !name.startsWith('REPOVISOR_')));
}
