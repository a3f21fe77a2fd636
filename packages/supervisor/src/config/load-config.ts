import { open } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { parseDocument } from 'yaml';
import { slugProblem } from '@repovisor/protocol';
import type { PipelineSettings } from '@repovisor/protocol';
import { ConfigFileSchema, formatConfigIssues, toSettings } from './config-schema.js';
import type { RepoDefinition, SupervisorSettings } from './config-schema.js';
import { limitConcurrency } from '@repovisor/kit';
import { resolveHome } from '../home/resolve-home.js';
import { resolvePipeline } from './pipeline-schema.js';
import { deriveSlug, inspectRepoPath, slugCollisionKey } from './repo-identity.js';

/** Largest `repos.yaml` read; anything bigger is refused before parsing. */
export const MAX_CONFIG_BYTES = 1024 * 1024;
/** Most YAML alias expansions allowed, so an alias bomb cannot exhaust memory. */
export const MAX_CONFIG_ALIASES = 100;

// Entries checked at once: each reads a few files of its `.git` (and may run git, itself limited).
const ENTRY_CONCURRENCY = 16;

/** A validated `repos.yaml`. */
export interface LoadedConfig {
  /** Absolute path of the file that was read. */
  file: string;
  settings: SupervisorSettings;
  repos: RepoDefinition[];
  /** The pipeline of a repo added later (POST /api/repos): `supervisor.pipeline` alone; null when it does not enable one. */
  pipelineDefaults: PipelineSettings | null;
}

/** `repos.yaml` could not be used; `problems` lists every reason, each by its path in the file. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  readonly file: string;
  readonly problems: string[];

  constructor(file: string, problems: string[], options?: ErrorOptions) {
    super(`Invalid configuration ${file}:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`, options);
    this.file = file;
    this.problems = problems;
  }
}

/**
 * Reads and validates `repos.yaml`; throws {@link ConfigError} listing every problem at once.
 * The home follows {@link resolveHome} (`env.REPOVISOR_HOME` overrides the file's); relative paths in the file are relative to its folder.
 */
export async function loadConfig(file: string, env: NodeJS.ProcessEnv = process.env): Promise<LoadedConfig> {
  const path = resolve(file);
  const raw = await readConfigDocument(path);
  const parsed = ConfigFileSchema.safeParse(raw);
  const problems = parsed.success ? [] : formatConfigIssues(parsed.error);
  // The folders are checked even when the schema failed, so one run reports every problem.
  const { repos, indexes } = await resolveRepos(raw, dirname(path), problems);
  if (!parsed.success || problems.length > 0) throw new ConfigError(path, problems);

  const section = parsed.data.supervisor;
  const defaults = resolvePipeline(section?.pipeline, undefined, dirname(path), 'supervisor.pipeline');
  if (!defaults.ok) problems.push(defaults.problem);
  repos.forEach((repo, position) => {
    const index = indexes[position] ?? position;
    const own = resolvePipeline(section?.pipeline, parsed.data.repos?.[index]?.pipeline, dirname(path), `repos[${index}].pipeline`);
    if (own.ok) repo.pipeline = own.pipeline;
    else if (defaults.ok) problems.push(own.problem);
  });
  if (problems.length > 0) throw new ConfigError(path, problems);
  const home = await resolveHome({ env, file: path, homeSetting: () => section?.home });
  return { file: path, settings: toSettings(section, home), repos, pipelineDefaults: defaults.ok ? defaults.pipeline : null };
}

async function readConfigDocument(path: string): Promise<unknown> {
  let text: string;
  try {
    const handle = await open(path, 'r');
    try {
      const info = await handle.stat();
      if (!info.isFile()) throw new ConfigError(path, ['(file): is not a regular file; pass the path of a repos.yaml file']);
      if (info.size > MAX_CONFIG_BYTES) throw tooBig(path, info.size);
      const bytes = await handle.readFile();
      if (bytes.length > MAX_CONFIG_BYTES) throw tooBig(path, bytes.length);
      text = bytes.toString('utf8');
    } finally {
      await handle.close();
    }
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    const problem =
      code === 'ENOENT'
        ? '(file): not found; create it or pass the path of an existing repos.yaml'
        : `(file): cannot be read (${code ?? String(error)}); check its permissions`;
    throw new ConfigError(path, [problem], { cause: error });
  }

  const document = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (document.errors.length > 0) {
    throw new ConfigError(
      path,
      document.errors.map((error) => `(yaml): ${(error.message.split('\n')[0] ?? error.code).replace(/:$/, '')}`),
    );
  }
  try {
    return document.toJS({ maxAliasCount: MAX_CONFIG_ALIASES }) ?? {};
  } catch (error) {
    const problem =
      error instanceof ReferenceError && /alias/i.test(error.message)
        ? `(yaml): aliases expand more than ${MAX_CONFIG_ALIASES} times; refusing a possible alias bomb, write the values out instead`
        : `(yaml): ${(error as Error).message}`;
    throw new ConfigError(path, [problem], { cause: error });
  }
}

function tooBig(path: string, size: number): ConfigError {
  return new ConfigError(path, [`(file): is ${size} bytes, over the limit of ${MAX_CONFIG_BYTES} bytes (1 MiB); is this really repos.yaml?`]);
}

interface ResolvedEntry {
  index: number;
  path: string;
  /** Undefined when the entry's own slug is invalid (the schema reported it). */
  slug: string | undefined;
  slugDerived: boolean;
  autostart: boolean;
  env: Record<string, string>;
}

/** Checks each entry's folder, finds its slug, and reports duplicates; pushes problems and returns the good entries. */
async function resolveRepos(raw: unknown, base: string, problems: string[]): Promise<{ repos: RepoDefinition[]; indexes: number[] }> {
  const entries = isRecord(raw) && Array.isArray(raw.repos) ? (raw.repos as unknown[]) : [];
  const limit = limitConcurrency(ENTRY_CONCURRENCY);
  const checked = await Promise.all(entries.map((entry, index) => limit(() => resolveEntry(entry, index, base))));
  // Reported in file order, whichever check finished first.
  for (const result of checked) if (typeof result === 'string') problems.push(result);

  const bySlug = new Map<string, ResolvedEntry>();
  const byPath = new Map<string, ResolvedEntry>();
  const repos: RepoDefinition[] = [];
  // The index in the file of each of `repos`.
  const indexes: number[] = [];
  for (const entry of checked) {
    if (entry === undefined || typeof entry === 'string') continue;
    const samePath = byPath.get(entry.path);
    if (samePath !== undefined) {
      problems.push(`repos[${entry.index}].path: ${entry.path} is the same folder as repos[${samePath.index}].path; list each repository once`);
      continue;
    }
    byPath.set(entry.path, entry);
    if (entry.slug === undefined) continue;
    const key = slugCollisionKey(entry.slug);
    const sameSlug = bySlug.get(key);
    if (sameSlug !== undefined) {
      problems.push(slugCollision(entry, entry.slug, sameSlug));
      continue;
    }
    bySlug.set(key, entry);
    repos.push({ slug: entry.slug, path: entry.path, autostart: entry.autostart, env: entry.env, pipeline: null });
    indexes.push(entry.index);
  }
  return { repos, indexes };
}

/** One entry's folder and slug; a string is its problem, `undefined` an entry without a usable path (the schema reported it). */
async function resolveEntry(entry: unknown, index: number, base: string): Promise<ResolvedEntry | string | undefined> {
  if (!isRecord(entry) || typeof entry.path !== 'string' || entry.path === '') return undefined;
  const inspection = await inspectRepoPath(resolve(base, entry.path));
  if (!inspection.ok) return `repos[${index}].path: ${inspection.message}`;
  const slugGiven = entry.slug !== undefined && entry.slug !== null;
  const usable = typeof entry.slug === 'string' && slugProblem(entry.slug) === undefined;
  let slug = usable ? (entry.slug as string) : undefined;
  if (!slugGiven) {
    const derived = await deriveSlug(inspection.path);
    if (!derived.ok) return `repos[${index}]: ${derived.message}`;
    slug = derived.slug;
  }
  return {
    index,
    path: inspection.path,
    slug,
    slugDerived: !slugGiven,
    autostart: typeof entry.autostart === 'boolean' ? entry.autostart : true,
    env: isRecord(entry.env) ? { ...(entry.env as Record<string, string>) } : {},
  };
}

function slugCollision(entry: ResolvedEntry, slug: string, earlier: ResolvedEntry): string {
  const other = earlier.slug ?? '';
  const what = entry.slugDerived ? `repos[${entry.index}]: the slug "${slug}" derived from its origin remote or folder name` : `repos[${entry.index}].slug: "${slug}"`;
  const clash = slug === other ? `is already used by repos[${earlier.index}]` : `collides with "${other}" of repos[${earlier.index}] (same data folder)`;
  return `${what} ${clash}; give one of them a distinct "slug:"`;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
