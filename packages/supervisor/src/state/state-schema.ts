import * as z from 'zod/mini';
import { PipelineSettings, SlugSchema } from '@repovisor/protocol';
import { newSecret } from '@repovisor/kit';

const nullablePid = z.nullable(z.int().check(z.positive()));
const port = z.int().check(z.minimum(1), z.maximum(65_535));

/** One repository in `supervisor-state.json`. */
const StoredRepoSchema = z.object({
  slug: SlugSchema,
  /** Absolute real path of the repository. */
  path: z.string().check(z.minLength(1)),
  autostart: z.boolean(),
  env: z.record(z.string(), z.string()),
  /** Where the repo came from: `repos.yaml` or `POST /api/repos`. */
  source: z.enum(['config', 'api']),
  /** When it was first added (ISO 8601). */
  addedAt: z.iso.datetime(),
  /** The worker's secret for `hello`. */
  token: z.string().check(z.minLength(32)),
  /** The worker's pid, while one is believed to run. */
  pid: nullablePid,
  /** `/proc/<pid>/stat` field 22 of that worker, telling it from a later process that reused the pid. */
  pidStartTicks: z.nullable(z.int().check(z.nonnegative())),
  /** The worker's own HTTP port, as reported in `hello`. */
  httpPort: z.nullable(port),
  /** Its pipeline from repos.yaml (null: none); absent for a repo added through the API, which gets supervisor.pipeline. */
  pipeline: z.optional(z.nullable(PipelineSettings)),
});

/** The whole of `supervisor-state.json`. */
export const StoredStateSchema = z.object({
  version: z.literal(1),
  /** The control port the supervisor last listened on. */
  controlPort: z.nullable(port),
  /** The address the HTTP API last listened on, for the CLI to find it. */
  http: z.optional(z.nullable(z.object({ host: z.string().check(z.minLength(1)), port }))),
  repos: z.array(StoredRepoSchema),
});

/** One repository in `supervisor-state.json`. */
export type StoredRepo = z.infer<typeof StoredRepoSchema>;
/** The whole of `supervisor-state.json`. */
export type StoredState = z.infer<typeof StoredStateSchema>;

/** A state with no repos and no control port. */
export function emptyState(): StoredState {
  return { version: 1, controlPort: null, repos: [] };
}

/** A new per-worker secret: 32 random bytes as 64 hex characters. */
export function newWorkerToken(): string {
  return newSecret();
}
