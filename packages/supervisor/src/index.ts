/**
 * Repovisor's supervisor as a library: read a repos.yaml as the CLI does and
 * start a supervisor in this process. What the `supervisor` command runs is
 * the bundle (dist/bundle/); everything else in src/ is internal.
 */
export { loadConfig, ConfigError, MAX_CONFIG_BYTES, MAX_CONFIG_ALIASES } from './config/load-config.js';
export type { LoadedConfig } from './config/load-config.js';
export { defaultSettings } from './config/config-schema.js';
export type { RepoDefinition, SupervisorSettings } from './config/config-schema.js';
export { RestartPolicy } from './manager/restart-policy.js';
export type { RestartDecision, RestartSettings } from './manager/restart-policy.js';
export { REPO_STATES } from './manager/repo-state.js';
export type { RepoState } from './manager/repo-state.js';
export type { RepoView } from './manager/repo-record.js';
export { startSupervisor } from './supervisor.js';
export type { RunningSupervisor } from './supervisor.js';
