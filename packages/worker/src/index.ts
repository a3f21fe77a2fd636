/**
 * Repovisor's per-repository worker as a library: HydraFlow's
 * `RepoRuntime`, its single-slug registry, the event bus and log, the state
 * tracker and the process-local HTTP app. What the supervisor runs is the
 * bundled `repo-worker` (dist/bundle/); everything else in src/ is internal.
 */
export { EventBus } from './events/event-bus.js';
export type { EventBusOptions, EventListener } from './events/event-bus.js';
export { EventLog } from './events/event-log.js';
export type { EventLogOptions } from './events/event-log.js';
export type { RuntimeEvent } from './events/runtime-event.js';
export { createWorkerApp } from './http/worker-app.js';
export { createWorkerHttpServer } from './http/worker-http-server.js';
export type { WorkerAppOptions } from './http/worker-app.js';
export { JsonLineLogger, LOG_LEVELS } from './log/worker-logger.js';
export type { JsonLineLoggerOptions, LogLevelName, LogMethod, WorkerLogger } from './log/worker-logger.js';
export { RepoWatcher } from './orchestrator/repo-watcher.js';
export { readWorkerEnv } from './process/worker-env.js';
export type { WorkerSettings, WorkerEnvResult } from './process/worker-env.js';
export { RepoRuntime } from './runtime/repo-runtime.js';
export { RuntimeStateError } from './runtime/runtime-state-error.js';
export type { RepoRuntimeInfo, RuntimeStateListener } from './runtime/repo-runtime.js';
export type { RepoRuntimeConfig } from './runtime/repo-runtime-config.js';
export { RepoRuntimeRegistry, DuplicateRuntimeError } from './runtime/repo-runtime-registry.js';
export { StateTracker } from './state/state-tracker.js';
export type { RepoSnapshot, RuntimeState, StateTrackerOptions } from './state/state-tracker.js';
