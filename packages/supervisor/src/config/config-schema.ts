import { resolve } from 'node:path';
import * as z from 'zod/mini';
import { SlugSchema } from '@repovisor/protocol';
import type { PipelineSettings } from '@repovisor/protocol';
import { PipelineSectionSchema } from './pipeline-schema.js';
import { describe, flag, host, milliseconds, port, strictMapping, wholeNumber } from './schema-parts.js';


/** The supervisor's settings, normalised from `repos.yaml` with every default filled in. */
export interface SupervisorSettings {
  /** Absolute path of the supervisor's home folder. */
  home: string;
  http: { host: string; port: number; requestTimeoutMs: number; headersTimeoutMs: number };
  control: { host: string; port: number; legacyClients: boolean; helloTimeoutMs: number };
  /** `httpIntervalMs`: a probe also checks the worker's `GET /healthz` when the last passed check is this old. */
  health: { intervalMs: number; timeoutMs: number; failureThreshold: number; httpIntervalMs: number };
  restart: { initialDelayMs: number; maxDelayMs: number; maxRestarts: number; windowMs: number; stableAfterMs: number };
  startTimeoutMs: number;
  stopTimeoutMs: number;
  graceMs: number;
  logMaxBytes: number;
}

/** One managed repository as the configuration defines it. */
export interface RepoDefinition {
  slug: string;
  /** Absolute real path of the repository's top level. */
  path: string;
  autostart: boolean;
  env: Record<string, string>;
  /** Its pipeline, every default applied; null when it runs none. */
  pipeline: PipelineSettings | null;
}

/** The settings a supervisor uses when nothing overrides them, with `home` resolved to an absolute path. */
export function defaultSettings(home: string): SupervisorSettings {
  return {
    home: resolve(home),
    http: { host: '127.0.0.1', port: 8765, requestTimeoutMs: 30_000, headersTimeoutMs: 10_000 },
    control: { host: '127.0.0.1', port: 0, legacyClients: false, helloTimeoutMs: 10_000 },
    health: { intervalMs: 5000, timeoutMs: 2000, failureThreshold: 3, httpIntervalMs: 10_000 },
    restart: { initialDelayMs: 500, maxDelayMs: 30_000, maxRestarts: 5, windowMs: 60_000, stableAfterMs: 10_000 },
    startTimeoutMs: 10_000,
    stopTimeoutMs: 5000,
    graceMs: 30_000,
    logMaxBytes: 10 * 1024 * 1024,
  };
}

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

const EnvSchema = z
  .record(z.string(), z.string({ error: (issue) => `must be a string (quote numbers and booleans), got ${describe(issue.input)}` }), {
    error: (issue) => `must be a mapping of variable names to strings, got ${describe(issue.input)}`,
  })
  .check(
    z.superRefine(
      (env, ctx) => {
        for (const name of Object.keys(env)) {
          if (/^REPOVISOR_/i.test(name)) {
            ctx.addIssue({ code: 'custom', path: [name], message: 'is reserved: the supervisor sets REPOVISOR_* variables itself' });
          } else if (!ENV_NAME.test(name)) {
            ctx.addIssue({ code: 'custom', path: [name], message: 'is not a valid variable name (letters, digits and "_", not starting with a digit)' });
          }
        }
      },
      // Names are checked even when a value is wrong, so both are reported in one run; a list has no names.
      { when: (payload) => typeof payload.value === 'object' && payload.value !== null && !Array.isArray(payload.value) },
    ),
  );

const RestartSchema = strictMapping({
  initial_delay_ms: z.optional(milliseconds(0)),
  max_delay_ms: z.optional(milliseconds(0)),
  max_restarts: z.optional(wholeNumber(0, 1000)),
  window_ms: z.optional(milliseconds(10)),
  stable_after_ms: z.optional(milliseconds(0)),
}).check(
  z.superRefine((restart, ctx) => {
    const initial = restart.initial_delay_ms ?? defaultSettings('.').restart.initialDelayMs;
    const max = restart.max_delay_ms ?? defaultSettings('.').restart.maxDelayMs;
    if (max < initial) {
      ctx.addIssue({ code: 'custom', path: ['max_delay_ms'], message: `must be at least initial_delay_ms (${initial}), got ${max}` });
    }
  }),
);

/** The `supervisor:` section of `repos.yaml`, as written (snake_case, every key optional). */
const SupervisorSectionSchema = strictMapping({
  home: z.optional(z.string({ error: 'must be a folder path' }).check(z.minLength(1, { error: 'must not be empty' }))),
  http: z.nullish(
    strictMapping({
      host: z.optional(host),
      port: z.optional(port),
      request_timeout_ms: z.optional(milliseconds(100)),
      headers_timeout_ms: z.optional(milliseconds(100)),
    }).check(
      // node:http refuses a headers timeout longer than the request timeout: the supervisor could not start.
      z.superRefine((http, ctx) => {
        const request = http.request_timeout_ms ?? defaultSettings('.').http.requestTimeoutMs;
        const headers = http.headers_timeout_ms ?? defaultSettings('.').http.headersTimeoutMs;
        if (request < headers) {
          ctx.addIssue({ code: 'custom', path: ['request_timeout_ms'], message: `must be at least headers_timeout_ms (${headers}), got ${request}` });
        }
      }),
    ),
  ),
  control: z.nullish(
    strictMapping({
      host: z.optional(host),
      port: z.optional(port),
      legacy_clients: z.optional(flag),
      hello_timeout_ms: z.optional(milliseconds(100)),
    }),
  ),
  health: z.nullish(
    strictMapping({
      interval_ms: z.optional(milliseconds(10)),
      timeout_ms: z.optional(milliseconds(10)),
      failure_threshold: z.optional(wholeNumber(1, 1000)),
      http_interval_ms: z.optional(milliseconds(0)),
    }),
  ),
  restart: z.nullish(RestartSchema),
  start_timeout_ms: z.optional(milliseconds(10)),
  stop_timeout_ms: z.optional(milliseconds(10)),
  grace_ms: z.optional(milliseconds(10)),
  log_max_bytes: z.optional(wholeNumber(1024, Number.MAX_SAFE_INTEGER, ' (bytes)')),
  pipeline: z.nullish(PipelineSectionSchema),
});

/** One entry of `repos:` as written. */
const RepoEntrySchema = strictMapping({
  path: z.string({ error: 'is required: the folder of a git repository' }).check(z.minLength(1, { error: 'must not be empty' })),
  slug: z.optional(
    z.pipe(z.string({ error: (issue) => `must be a slug such as "owner/repo" or "name" (quoted), got ${describe(issue.input)}` }), SlugSchema),
  ),
  autostart: z.optional(flag),
  env: z.nullish(EnvSchema),
  pipeline: z.nullish(PipelineSectionSchema),
});

/** The whole `repos.yaml` as written. */
export const ConfigFileSchema = strictMapping({
  supervisor: z.nullish(SupervisorSectionSchema),
  repos: z.nullish(z.array(RepoEntrySchema, { error: (issue) => `must be a list of repositories, got ${describe(issue.input)}` })),
});

/** The `supervisor:` section as written. */
export type SupervisorSection = z.infer<typeof SupervisorSectionSchema>;

/** The settings of a validated `supervisor:` section over the defaults, with `home` already resolved. */
export function toSettings(section: SupervisorSection | null | undefined, home: string): SupervisorSettings {
  const defaults = defaultSettings(home);
  const s = section ?? {};
  return {
    home: defaults.home,
    http: {
      host: s.http?.host ?? defaults.http.host,
      port: s.http?.port ?? defaults.http.port,
      requestTimeoutMs: s.http?.request_timeout_ms ?? defaults.http.requestTimeoutMs,
      headersTimeoutMs: s.http?.headers_timeout_ms ?? defaults.http.headersTimeoutMs,
    },
    control: {
      host: s.control?.host ?? defaults.control.host,
      port: s.control?.port ?? defaults.control.port,
      legacyClients: s.control?.legacy_clients ?? defaults.control.legacyClients,
      helloTimeoutMs: s.control?.hello_timeout_ms ?? defaults.control.helloTimeoutMs,
    },
    health: {
      intervalMs: s.health?.interval_ms ?? defaults.health.intervalMs,
      timeoutMs: s.health?.timeout_ms ?? defaults.health.timeoutMs,
      failureThreshold: s.health?.failure_threshold ?? defaults.health.failureThreshold,
      httpIntervalMs: s.health?.http_interval_ms ?? defaults.health.httpIntervalMs,
    },
    restart: {
      initialDelayMs: s.restart?.initial_delay_ms ?? defaults.restart.initialDelayMs,
      maxDelayMs: s.restart?.max_delay_ms ?? defaults.restart.maxDelayMs,
      maxRestarts: s.restart?.max_restarts ?? defaults.restart.maxRestarts,
      windowMs: s.restart?.window_ms ?? defaults.restart.windowMs,
      stableAfterMs: s.restart?.stable_after_ms ?? defaults.restart.stableAfterMs,
    },
    startTimeoutMs: s.start_timeout_ms ?? defaults.startTimeoutMs,
    stopTimeoutMs: s.stop_timeout_ms ?? defaults.stopTimeoutMs,
    graceMs: s.grace_ms ?? defaults.graceMs,
    logMaxBytes: s.log_max_bytes ?? defaults.logMaxBytes,
  };
}

/** A zod issue path written the way the file reads: `repos[2].env.FOO`. */
export function formatIssuePath(path: readonly PropertyKey[]): string {
  let text = '';
  for (const key of path) {
    if (typeof key === 'number') text += `[${key}]`;
    else text += text === '' ? String(key) : `.${String(key)}`;
  }
  return text === '' ? '(top level)' : text;
}

/** Every problem of a failed parse, one line each, by its path in the file. */
export function formatConfigIssues(error: z.core.$ZodError): string[] {
  return error.issues.flatMap((issue) => {
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => `${formatIssuePath([...issue.path, key])}: unknown key (${issue.message})`);
    }
    return [`${formatIssuePath(issue.path)}: ${issue.message}`];
  });
}
