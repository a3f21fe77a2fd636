import { isAbsolute } from 'node:path';
import { z } from 'zod';
import { SlugSchema } from '@repovisor/protocol';

const AbsolutePath = (name: string) =>
  z.string({ error: `${name} is required` }).min(1, `${name} is required`).refine(isAbsolute, `${name} must be an absolute path`);

const Port = z.coerce
  .number({ error: 'must be 0, a port number from 1 to 65535, or "off"' })
  .int({ error: 'must be 0, a port number from 1 to 65535, or "off"' })
  .min(1, { error: 'must be 0, a port number from 1 to 65535, or "off"' })
  .max(65535, { error: 'must be 0, a port number from 1 to 65535, or "off"' });

/** A whole number of milliseconds from `min` to `max`, with the variable's name in its message. */
const Milliseconds = (name: string, min: number, max: number) => {
  const message = `${name} must be a whole number of milliseconds from ${min} to ${max}`;
  return z.coerce.number({ error: message }).int({ error: message }).min(min, { error: message }).max(max, { error: message });
};

const WorkerEnvSchema = z.object({
  REPOVISOR_SLUG: z.string({ error: 'REPOVISOR_SLUG is required' }).pipe(SlugSchema),
  REPOVISOR_REPO_PATH: AbsolutePath('REPOVISOR_REPO_PATH'),
  REPOVISOR_DATA_ROOT: AbsolutePath('REPOVISOR_DATA_ROOT'),
  REPOVISOR_CONTROL: z
    .string()
    .regex(/^(\[[0-9a-fA-F:]+\]|[A-Za-z0-9.-]+):\d{1,5}$/, 'REPOVISOR_CONTROL must be host:port, e.g. 127.0.0.1:7000')
    .optional(),
  REPOVISOR_TOKEN: z.string().min(16, 'REPOVISOR_TOKEN must be at least 16 characters').optional(),
  REPOVISOR_HTTP_PORT: z
    .union([z.literal('off'), z.literal('0').transform(() => 0), Port], { error: 'REPOVISOR_HTTP_PORT must be 0, a port number from 1 to 65535, or "off"' })
    .default(0)
    .describe('0 for an ephemeral port, a port number, or "off" for headless'),
  REPOVISOR_GRACE_MS: Milliseconds('REPOVISOR_GRACE_MS', 0, 86_400_000).default(30_000),
  REPOVISOR_WATCH_INTERVAL_MS: Milliseconds('REPOVISOR_WATCH_INTERVAL_MS', 10, 3_600_000).default(2000),
  REPOVISOR_LOG_LEVEL: z
    .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], {
      error: 'REPOVISOR_LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent',
    })
    .default('info'),
});

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
}

/** The outcome of reading the environment: settings, or every problem found. */
export type WorkerEnvResult = { ok: true; settings: WorkerSettings } | { ok: false; problems: string[] };

/** Reads and validates a worker's settings from `env` (see DESIGN.md, "A worker's environment"). */
export function readWorkerEnv(env: NodeJS.ProcessEnv): WorkerEnvResult {
  const blankless = Object.fromEntries(Object.entries(env).filter(([key, value]) => key.startsWith('REPOVISOR_') && value !== ''));
  const parsed = WorkerEnvSchema.safeParse(blankless);
  if (!parsed.success) {
    return { ok: false, problems: parsed.error.issues.map((issue) => `${issue.path.join('.') || 'environment'}: ${issue.message}`) };
  }
  const values = parsed.data;
  let control: WorkerSettings['control'];
  if (values.REPOVISOR_CONTROL !== undefined) {
    const at = values.REPOVISOR_CONTROL.lastIndexOf(':');
    const port = Number(values.REPOVISOR_CONTROL.slice(at + 1));
    if (port < 1 || port > 65535) return { ok: false, problems: ['REPOVISOR_CONTROL: the port must be between 1 and 65535'] };
    control = { host: values.REPOVISOR_CONTROL.slice(0, at).replace(/^\[|\]$/g, ''), port };
    if (values.REPOVISOR_TOKEN === undefined) {
      return { ok: false, problems: ['REPOVISOR_TOKEN: required when REPOVISOR_CONTROL is set (the supervisor checks it in hello)'] };
    }
  }
  return {
    ok: true,
    settings: {
      slug: values.REPOVISOR_SLUG,
      repoPath: values.REPOVISOR_REPO_PATH,
      dataRoot: values.REPOVISOR_DATA_ROOT,
      control,
      token: values.REPOVISOR_TOKEN,
      httpPort: values.REPOVISOR_HTTP_PORT,
      graceMs: values.REPOVISOR_GRACE_MS,
      watchIntervalMs: values.REPOVISOR_WATCH_INTERVAL_MS,
      logLevel: values.REPOVISOR_LOG_LEVEL,
    },
  };
}
