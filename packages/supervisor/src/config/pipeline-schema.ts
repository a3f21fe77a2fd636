import { isAbsolute, resolve } from 'node:path';
import * as z from 'zod/mini';
import { AGENT_STAGES, PIPELINE_DEFAULTS, PipelineSettings } from '@repovisor/protocol';
import type { AgentSpec, StageSettings } from '@repovisor/protocol';
import type { Result } from '@repovisor/kit';
import { describe, flag, milliseconds, strictMapping, wholeNumber } from './schema-parts.js';

const text = (what: string) =>
  z.string({ error: (issue) => `must be ${what}, got ${describe(issue.input)}` }).check(z.trim(), z.minLength(1, { error: 'must not be empty' }));

const attempts = wholeNumber(1, 100);
const workers = wholeNumber(1, 64);

/** `agent:` as written: a command, or Claude Code or Codex by kind (with a model and a permission mode). */
const AgentSchema = strictMapping({
  command: z.optional(
    z.array(text('a string'), { error: (issue) => `must be a list such as [node, ./agent.mjs], got ${describe(issue.input)}` }).check(
      z.minLength(1, { error: 'must name the program to run' }),
    ),
  ),
  kind: z.optional(z.enum(['claude', 'codex'], { error: (issue) => `must be claude or codex, got ${describe(issue.input)}` })),
  model: z.optional(text('a model name')),
  permission_mode: z.optional(text('a permission mode')),
}).check(
  z.superRefine((agent, ctx) => {
    if ((agent.command === undefined) === (agent.kind === undefined)) {
      ctx.addIssue({ code: 'custom', path: [], message: 'must give either command (any program) or kind (claude or codex), not both or neither' });
    } else if (agent.command !== undefined && (agent.model !== undefined || agent.permission_mode !== undefined)) {
      ctx.addIssue({ code: 'custom', path: [], message: 'model and permission_mode go with kind, not with command' });
    }
  }),
);

const StageSchema = strictMapping({
  agent: z.optional(AgentSchema),
  max_workers: z.optional(workers),
  prompt_file: z.optional(text('the path of a prompt template')),
});

const StagesSchema = strictMapping({
  triage: z.nullish(StageSchema),
  plan: z.nullish(StageSchema),
  implement: z.nullish(StageSchema),
  review: z.nullish(StageSchema),
  hitl: z.nullish(StageSchema),
});

const label = text('a label name').check(z.maxLength(50, { error: 'must be at most 50 characters (GitHub\'s limit for a label)' }));

/** `labels:` as written: any of the stage labels, each over the default. */
const LabelsSchema = strictMapping({
  find: z.optional(label),
  plan: z.optional(label),
  ready: z.optional(label),
  review: z.optional(label),
  fixed: z.optional(label),
  hitl: z.optional(label),
});

const apiUrl = text('an http or https URL').check(
  z.refine((value) => /^https?:\/\/[^/\s]+/i.test(value), { error: 'must be an http or https URL such as https://api.github.com or https://ghe.example.com/api/v3' }),
);

const githubRepo = text('owner/name').check(
  z.refine((value) => /^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/.test(value), { error: 'must be owner/name, such as acme/alpha' }),
);

/** `pipeline:` as written, in `supervisor:` (the defaults of every repo) or in a repo (its own): every key optional. */
export const PipelineSectionSchema = strictMapping({
  enabled: z.optional(flag),
  source: z.optional(z.enum(['local'], { error: (issue) => `must be local (the GitHub source is not in this version), got ${describe(issue.input)}` })),
  remote: z.optional(text('the name of a git remote')),
  base_branch: z.optional(text('a branch name')),
  poll_interval_ms: z.optional(milliseconds(100)),
  agent_timeout_ms: z.optional(milliseconds(1000)),
  max_issue_attempts: z.optional(attempts),
  max_review_fix_attempts: z.optional(attempts),
  max_plan_attempts: z.optional(attempts),
  max_workers: z.optional(workers),
  github_repo: z.optional(githubRepo),
  api_url: z.optional(apiUrl),
  labels: z.nullish(LabelsSchema),
  hitl_correction_prefix: z.optional(text('the text a correction comment starts with')),
  agent: z.optional(AgentSchema),
  stages: z.nullish(StagesSchema),
});

/** A `pipeline:` section as written. */
export type PipelineSection = z.infer<typeof PipelineSectionSchema>;

/**
 * One repo's pipeline: its own `pipeline:` over `supervisor.pipeline`, over
 * the defaults. Null when it is not enabled. Relative paths (a command's
 * `./script`, a `prompt_file`) are resolved against `base`, the folder of
 * repos.yaml. `where` names the repo's section in a problem.
 */
export function resolvePipeline(
  defaults: PipelineSection | null | undefined,
  own: PipelineSection | null | undefined,
  base: string,
  where: string,
): Result<{ pipeline: PipelineSettings | null }, { problem: string }> {
  const d = defaults ?? {};
  const o = own ?? {};
  const enabled = o.enabled ?? d.enabled ?? PIPELINE_DEFAULTS.enabled;
  if (!enabled) return { ok: true, pipeline: null };
  const agent = o.agent ?? d.agent;
  if (agent === undefined) {
    return { ok: false, problem: `${where}.agent: is required when the pipeline is enabled (here, or for every repo in supervisor.pipeline.agent)` };
  }
  const stages: PipelineSettings['stages'] = {};
  for (const stage of AGENT_STAGES) {
    const merged = { ...d.stages?.[stage], ...o.stages?.[stage] };
    if (Object.keys(merged).length === 0) continue;
    const settings: StageSettings = {};
    if (merged.agent !== undefined) settings.agent = agentSpec(merged.agent, base);
    if (merged.max_workers !== undefined) settings.max_workers = merged.max_workers;
    if (merged.prompt_file !== undefined) settings.prompt_file = resolve(base, merged.prompt_file);
    stages[stage] = settings;
  }
  const pick = <K extends keyof PipelineSection & keyof typeof PIPELINE_DEFAULTS>(key: K) => o[key] ?? d[key] ?? PIPELINE_DEFAULTS[key];
  const pipeline = PipelineSettings.parse({
    enabled: true,
    source: pick('source'),
    remote: pick('remote'),
    base_branch: pick('base_branch'),
    poll_interval_ms: pick('poll_interval_ms'),
    agent_timeout_ms: pick('agent_timeout_ms'),
    max_issue_attempts: pick('max_issue_attempts'),
    max_review_fix_attempts: pick('max_review_fix_attempts'),
    max_plan_attempts: pick('max_plan_attempts'),
    max_workers: pick('max_workers'),
    github_repo: pick('github_repo'),
    api_url: pick('api_url'),
    labels: { ...PIPELINE_DEFAULTS.labels, ...d.labels, ...o.labels },
    hitl_correction_prefix: pick('hitl_correction_prefix'),
    agent: agentSpec(agent, base),
    stages,
  });
  return { ok: true, pipeline };
}

type AgentSection = NonNullable<PipelineSection['agent']>;

// A command's arguments that are relative paths (./x, ../x) name files beside repos.yaml: an agent runs in its task's workspace.
function agentSpec(agent: AgentSection, base: string): AgentSpec {
  if (agent.command !== undefined) {
    return { command: agent.command.map((part) => (!isAbsolute(part) && /^\.\.?\//.test(part) ? resolve(base, part) : part)) };
  }
  return {
    kind: agent.kind ?? 'claude',
    ...(agent.model === undefined ? {} : { model: agent.model }),
    ...(agent.permission_mode === undefined ? {} : { permission_mode: agent.permission_mode }),
  };
}
