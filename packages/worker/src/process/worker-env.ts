import { isAbsolute } from 'node:path';
import { PipelineSettings, SlugSchema, issuesData } from '@repovisor/protocol';
import * as z from 'zod/mini';
import type { Result } from '@repovisor/kit';

/** A worker's settings, read from its environment. */
export interface WorkerSettings {
  slug: string;
  repoPath: string;
  dataRoot: string;
  control: { host: string; port: number } | undefined;
  token: string | undefined;
  httpPort: number | 'off';
  graceMs: number;
  watchIntervalMs: number;
  logLevel: string;
  /** The repo's pipeline (REPOVISOR_PIPELINE); null: it runs none. */
  pipeline: PipelineSettings | null;
}

/** The outcome of reading the environment: settings, or every problem found. */
export type WorkerEnvResult = Result<{ settings: WorkerSettings }, { problems: string[] }>;

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
const CONTROL_ADDRESS = /^(\[[0-9a-fA-F:]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/;
const WHOLE_NUMBER = /^\d+$/;

/** A whole number from `text`, or NaN: no signs, fractions, exponents or hex. */
function wholeNumber(text: string): number {
  return WHOLE_NUMBER.test(text.trim()) ? Number(text) : Number.NaN;
}

const within = (value: number, min: number, max: number): boolean => value >= min && value <= max;

const required = (name: string) => ({ error: (issue: { input?: unknown }) => (issue.input === undefined ? `${name} is required` : undefined) });

const absolutePath = (name: string) => z.string(required(name)).check(z.refine(isAbsolute, { error: `${name} must be an absolute path` }));

const milliseconds = (name: string, min: number, max: number, fallback: number) =>
  z._default(
    z.pipe(
      z.string().check(
        z.refine((text) => within(wholeNumber(text), min, max), { error: `${name} must be a whole number of milliseconds from ${min} to ${max}` }),
      ),
      z.transform(Number),
    ),
    fallback,
  );

const ControlAddress = z.pipe(
  z
    .string()
    .check(
      z.regex(CONTROL_ADDRESS, { error: 'REPOVISOR_CONTROL must be host:port, e.g. 127.0.0.1:7000', abort: true }),
      z.refine((text) => within(Number(CONTROL_ADDRESS.exec(text)?.[2]), 1, 65535), { error: 'the port must be between 1 and 65535' }),
    ),
  z.transform((text) => {
    const [, host = '', port] = CONTROL_ADDRESS.exec(text) ?? [];
    return { host: host.replace(/^\[|\]$/g, ''), port: Number(port) };
  }),
);

// JSON written by the supervisor from repos.yaml, which it has already checked; a problem here is a bug or a hand-made environment.
const Pipeline = z.pipe(
  z.string().check(
    z.refine(
      (text) => {
        try {
          return PipelineSettings.safeParse(JSON.parse(text)).success;
        } catch {
          return false;
        }
      },
      { error: 'REPOVISOR_PIPELINE must be the JSON of a repo\'s pipeline settings, as the supervisor writes it from repos.yaml' },
    ),
  ),
  z.transform((text) => PipelineSettings.parse(JSON.parse(text))),
);

const HttpPort = z._default(
  z.pipe(
    z.string().check(z.refine((text) => text === 'off' || within(wholeNumber(text), 0, 65535), { error: 'REPOVISOR_HTTP_PORT must be 0, a port number from 1 to 65535, or "off"' })),
    z.transform((text): number | 'off' => (text === 'off' ? 'off' : Number(text))),
  ),
  0,
);

/**
 * The worker's environment (docs/ARCHITECTURE.md, "A worker's environment"),
 * keyed by variable; a control address needs a token.
 */
const WorkerEnv = z
  .object({
    REPOVISOR_SLUG: z.pipe(z.string(required('REPOVISOR_SLUG')), SlugSchema),
    REPOVISOR_REPO_PATH: absolutePath('REPOVISOR_REPO_PATH'),
    REPOVISOR_DATA_ROOT: absolutePath('REPOVISOR_DATA_ROOT'),
    REPOVISOR_CONTROL: z.optional(ControlAddress),
    REPOVISOR_TOKEN: z.optional(z.string().check(z.minLength(16, { error: 'REPOVISOR_TOKEN must be at least 16 characters' }))),
    REPOVISOR_HTTP_PORT: HttpPort,
    REPOVISOR_GRACE_MS: milliseconds('REPOVISOR_GRACE_MS', 0, 86_400_000, 30_000),
    REPOVISOR_WATCH_INTERVAL_MS: milliseconds('REPOVISOR_WATCH_INTERVAL_MS', 10, 3_600_000, 2000),
    REPOVISOR_LOG_LEVEL: z._default(z.enum(LOG_LEVELS, { error: `REPOVISOR_LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}` }), 'info'),
    REPOVISOR_PIPELINE: z.optional(Pipeline),
  })
  .check(
    z.refine((env) => env.REPOVISOR_CONTROL === undefined || env.REPOVISOR_TOKEN !== undefined, {
      path: ['REPOVISOR_TOKEN'],
      error: 'required when REPOVISOR_CONTROL is set (the supervisor checks it in hello)',
      // Also when other variables are wrong: every problem is listed at once.
      when: () => true,
    }),
  );

const VARIABLES = Object.keys(WorkerEnv.shape);

/** Reads and validates a worker's settings from `env` (docs/ARCHITECTURE.md, "A worker's environment"). */
export function readWorkerEnv(env: NodeJS.ProcessEnv): WorkerEnvResult {
  // A variable set to the empty string counts as unset.
  const given = Object.fromEntries(VARIABLES.map((name) => [name, env[name] === '' ? undefined : env[name]]));
  const parsed = WorkerEnv.safeParse(given);
  if (!parsed.success) {
    // The cross-variable check comes last from zod; the problems are listed in the variables' order.
    const issues = issuesData(parsed.error).issues.sort((a, b) => VARIABLES.indexOf(a.path) - VARIABLES.indexOf(b.path));
    return { ok: false, problems: issues.map((issue) => `${issue.path}: ${issue.message}`) };
  }
  const value = parsed.data;
  return {
    ok: true,
    settings: {
      slug: value.REPOVISOR_SLUG,
      repoPath: value.REPOVISOR_REPO_PATH,
      dataRoot: value.REPOVISOR_DATA_ROOT,
      control: value.REPOVISOR_CONTROL,
      token: value.REPOVISOR_TOKEN,
      httpPort: value.REPOVISOR_HTTP_PORT,
      graceMs: value.REPOVISOR_GRACE_MS,
      watchIntervalMs: value.REPOVISOR_WATCH_INTERVAL_MS,
      logLevel: value.REPOVISOR_LOG_LEVEL,
      pipeline: value.REPOVISOR_PIPELINE ?? null,
    },
  };
}
