import type * as Crypto from 'node:crypto';
import type * as Http from 'node:http';
import type * as ProxyLibrary from 'http-proxy-middleware';
import type PrettyStream from 'pino-pretty';
import type * as Yaml from 'yaml';
import type * as ClientCommands from './cli/client-commands.js';
import type * as PipelineCommands from './cli/pipeline-commands.js';
import type * as EventsCommand from './cli/events-command.js';
import type * as LogsCommand from './cli/logs-command.js';
import type * as StartCommand from './cli/start-command.js';
import type * as Metrics from './http/metrics.js';
import type * as EventStreams from './http/stream/event-streams.js';
import type * as SupervisorApp from './http/supervisor-app.js';

// The supervisor's start-up decisions, in one place: what it loads only when
// it is first needed, instead of on the path to its first launch (or, for
// `supervisor status`, at all). What each one buys is in docs/BENCHMARKS.md,
// "What each start-up trick buys"; tests/supervisor-start-modules.test.ts and
// tests/cli-status-modules.test.ts check that they stay off the start path.

/** node:http, on first use: the API is served, and workers are probed over HTTP, only after the first launch. */
export function nodeHttp(): typeof Http {
  return process.getBuiltinModule('node:http');
}

/** node:crypto, on first use: the token checks of the workers' hellos need it, launching them does not. */
function nodeCrypto(): typeof Crypto {
  return process.getBuiltinModule('node:crypto');
}

/** Loads, while the first workers boot, what their hellos will need, so that the first hello does not wait for it. */
export function preloadForHellos(): void {
  nodeCrypto();
}

/** `supervisor start`: the whole supervisor, which the client commands never load. */
export function loadStartCommand(): Promise<typeof StartCommand> {
  return import('./cli/start-command.js');
}

/** The client commands (`status`, `add`, …), which talk to a running supervisor over HTTP. */
export function loadClientCommands(): Promise<typeof ClientCommands> {
  return import('./cli/client-commands.js');
}

/** The pipeline's client commands (`tasks`, `task add|show`, `hitl …`), which talk to a repo's worker through the supervisor. */
export function loadPipelineCommands(): Promise<typeof PipelineCommands> {
  return import('./cli/pipeline-commands.js');
}

/** `supervisor events`, with the `ws` client it streams through. */
export function loadEventsCommand(): Promise<typeof EventsCommand> {
  return import('./cli/events-command.js');
}

/** `supervisor logs`, which reads a worker's log file. */
export function loadLogsCommand(): Promise<typeof LogsCommand> {
  return import('./cli/logs-command.js');
}

/** yaml's parser, for a client command that finds its home through repos.yaml. */
export function loadYaml(): Promise<typeof Yaml> {
  return import('yaml');
}

/** pino-pretty, for a supervisor logging to a terminal. */
export async function loadPrettyStream(): Promise<typeof PrettyStream> {
  return (await import('pino-pretty')).default;
}

/** The express app (and express), on the first request the fast path leaves to it. */
export function loadSupervisorApp(): Promise<typeof SupervisorApp> {
  return import('./http/supervisor-app.js');
}

/** http-proxy-middleware, on the first request the supervisor proxies to a worker (`/api/repos/<slug>/runtimes`, `…/tasks`, …). */
export function loadProxyLibrary(): Promise<typeof ProxyLibrary> {
  return import('http-proxy-middleware');
}

/** The Prometheus metrics (and prom-client), on the first `GET /metrics`. */
export function loadMetrics(): Promise<typeof Metrics> {
  return import('./http/metrics.js');
}

/** The `/ws` event streams (and the `ws` library), on the first WebSocket upgrade. */
export function loadEventStreams(): Promise<typeof EventStreams> {
  return import('./http/stream/event-streams.js');
}
