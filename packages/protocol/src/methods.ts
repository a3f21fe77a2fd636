import * as z from 'zod/mini';
import './zod-messages.js';

/** A request method: its name, the schema of its params and of its result. */
export interface RequestSpec<P, R> {
  method: string;
  params: z.ZodMiniType<P>;
  result: z.ZodMiniType<R>;
}

/** A notification method: its name and the schema of its params. */
export interface NotificationSpec<P> {
  method: string;
  params: z.ZodMiniType<P>;
}

/** The params type of a request or notification spec. */
export type ParamsOf<S> = S extends RequestSpec<infer P, unknown> ? P : S extends NotificationSpec<infer P> ? P : never;

/** The result type of a request spec. */
export type ResultOf<S> = S extends RequestSpec<unknown, infer R> ? R : never;

function requestSpec<const M extends string, P, R>(method: M, params: z.ZodMiniType<P>, result: z.ZodMiniType<R>): RequestSpec<P, R> & { method: M } {
  return { method, params, result };
}

function notificationSpec<const M extends string, P>(method: M, params: z.ZodMiniType<P>): NotificationSpec<P> & { method: M } {
  return { method, params };
}

const Slug = z.string().check(z.minLength(1));
const Pid = z.int().check(z.minimum(0));

/** Params of a method that takes none; an omitted `params` counts as `{}`. */
export const EmptyParams = z._default(z.object({}), {});
/** Params of a method that takes none. */
export type EmptyParams = z.infer<typeof EmptyParams>;

/** A runtime's status in HydraFlow's `RepoRuntimeInfo` shape (snake_case, as the HTTP API serves it). */
export const RuntimeInfo = z.object({
  slug: Slug,
  repo: z.string(),
  running: z.boolean(),
  session_id: z.nullable(z.string()),
  uptime_seconds: z.number().check(z.minimum(0)),
  last_error: z.nullable(z.string()),
});
/** A runtime's status. */
export type RuntimeInfo = z.infer<typeof RuntimeInfo>;

/** A worker's answer to `health`: runtime status (running, and `lastError` while a loop fails) and process vitals (uptime is the process's). */
export const HealthResult = z.object({
  slug: Slug,
  pid: Pid,
  running: z.boolean(),
  sessionId: z.nullable(z.string()),
  uptimeSeconds: z.number().check(z.minimum(0)),
  memory: z.object({ rss: z.number().check(z.minimum(0)), heapUsed: z.number().check(z.minimum(0)) }),
  eventLoopDelayMs: z.number().check(z.minimum(0)),
  lastError: z.nullable(z.string()),
});
/** A worker's answer to `health`. */
export type HealthResult = z.infer<typeof HealthResult>;

/** The first request of a worker: who it is, its secret and where its HTTP server listens. */
export const HelloParams = z.object({
  slug: Slug,
  pid: Pid,
  protocolVersion: z.int(),
  token: z.string().check(z.minLength(1)),
  httpPort: z.nullable(z.int().check(z.minimum(1), z.maximum(65535))),
  running: z.boolean(),
  sessionId: z.nullable(z.string()),
  /** The runtime's `last_error` (a failing loop); absent from workers that predate it. */
  lastError: z.optional(z.nullable(z.string())),
});
/** The params of `hello`. */
export type HelloParams = z.infer<typeof HelloParams>;

/** The supervisor's answer to an accepted `hello`. */
export const Welcome = z.object({
  protocolVersion: z.int(),
  supervisorPid: Pid,
});
/** The result of `hello`. */
export type Welcome = z.infer<typeof Welcome>;

/** Params of `shutdown`: an optional reason for the worker's log. */
export const ShutdownParams = z._default(z.object({ reason: z.optional(z.string()) }), {});
/** The params of `shutdown`. */
export type ShutdownParams = z.infer<typeof ShutdownParams>;

/** The worker's answer to `shutdown`, sent before it exits. */
export const ShutdownResult = z.object({ ok: z.literal(true) });
/** The result of `shutdown`. */
export type ShutdownResult = z.infer<typeof ShutdownResult>;

/** One runtime event as a worker forwards it. */
export const RuntimeEvent = z.object({
  type: z.string().check(z.minLength(1)),
  at: z.iso.datetime({ offset: true }),
  data: z.record(z.string(), z.unknown()),
});
/** One runtime event. */
export type RuntimeEvent = z.infer<typeof RuntimeEvent>;

/** Params of the `event` notification: a runtime event tagged with its slug. */
export const EventParams = z.object({ slug: Slug, event: RuntimeEvent });
/** The params of `event`. */
export type EventParams = z.infer<typeof EventParams>;

/** Params of the `runtime.state` notification: the runtime's new state. */
export const RuntimeStateParams = z.object({
  slug: Slug,
  running: z.boolean(),
  sessionId: z.nullable(z.string()),
  lastError: z.nullable(z.string()),
});
/** The params of `runtime.state`. */
export type RuntimeStateParams = z.infer<typeof RuntimeStateParams>;

/** Params of `workspace.ensure`: the issue whose workspace is wanted. */
export const WorkspaceParams = z.object({ issue: z.int().check(z.minimum(1)) });
/** The params of `workspace.ensure`. */
export type WorkspaceParams = z.infer<typeof WorkspaceParams>;

/** Where an issue's workspace is, and whether this call created it. */
export const WorkspaceResult = z.object({ issue: z.int().check(z.minimum(1)), path: z.string().check(z.minLength(1)), created: z.boolean() });
/** The result of `workspace.ensure`. */
export type WorkspaceResult = z.infer<typeof WorkspaceResult>;

/** Requests a worker sends to the supervisor. */
export const WorkerRequests = {
  /** The worker introduces itself; answered with a welcome or `unauthorized`/`unknown_slug`/`duplicate`/`version_mismatch`. */
  hello: requestSpec('hello', HelloParams, Welcome),
};

/** Requests the supervisor sends to a worker. */
export const SupervisorRequests = {
  /** Runtime status, uptime, memory and event-loop delay. */
  health: requestSpec('health', EmptyParams, HealthResult),
  /** The runtime's status. */
  runtimeStatus: requestSpec('runtime.status', EmptyParams, RuntimeInfo),
  /** Starts the runtime; `already_running` if it is. */
  runtimeStart: requestSpec('runtime.start', EmptyParams, RuntimeInfo),
  /** Stops the runtime; `not_running` if it is not. */
  runtimeStop: requestSpec('runtime.stop', EmptyParams, RuntimeInfo),
  /** Asks the worker to exit cleanly once it has answered. */
  shutdown: requestSpec('shutdown', ShutdownParams, ShutdownResult),
  /** Creates (or finds) the slug-scoped workspace of an issue: `<data_root>/workspaces/issue-<n>`. */
  workspaceEnsure: requestSpec('workspace.ensure', WorkspaceParams, WorkspaceResult),
};

/** Notifications a worker sends to the supervisor. */
export const WorkerNotifications = {
  /** A runtime event, tagged with the slug. */
  event: notificationSpec('event', EventParams),
  /** The runtime started, stopped or failed. */
  runtimeState: notificationSpec('runtime.state', RuntimeStateParams),
};

/** A request spec a worker sends. */
export type WorkerRequestSpec = (typeof WorkerRequests)[keyof typeof WorkerRequests];
/** A request spec the supervisor sends. */
export type SupervisorRequestSpec = (typeof SupervisorRequests)[keyof typeof SupervisorRequests];
/** A notification spec a worker sends. */
export type WorkerNotificationSpec = (typeof WorkerNotifications)[keyof typeof WorkerNotifications];

/** Method names of worker → supervisor requests. */
export type WorkerRequestMethod = WorkerRequestSpec['method'];
/** Method names of supervisor → worker requests. */
export type SupervisorRequestMethod = SupervisorRequestSpec['method'];
/** Method names of worker → supervisor notifications. */
export type WorkerNotificationMethod = WorkerNotificationSpec['method'];
