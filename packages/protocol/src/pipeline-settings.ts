import * as z from 'zod/mini';
import './zod-messages.js';

// The pipeline settings of one repo as the supervisor hands them to its
// worker (JSON in REPOVISOR_PIPELINE): `supervisor.pipeline` of repos.yaml
// with the repo's own `pipeline:` over it, checked and complete. The keys are
// repos.yaml's, so that an operator reading a worker's environment sees the
// names of the file.

/** The stages agents run in, in pipeline order (`hitl` is the human's). */
export const AGENT_STAGES = ['triage', 'plan', 'implement', 'review', 'hitl'] as const;
/** A stage an agent runs in. */
export type AgentStage = (typeof AGENT_STAGES)[number];

const positive = z.int().check(z.minimum(1));
const duration = z.int().check(z.minimum(0), z.maximum(86_400_000));

/** An agent: any command (run with the prompt on stdin), or Claude Code or Codex by kind. */
export const AgentSpec = z.union([
  z.object({ command: z.array(z.string().check(z.minLength(1))).check(z.minLength(1)) }),
  z.object({
    kind: z.enum(['claude', 'codex']),
    model: z.optional(z.string().check(z.minLength(1))),
    permission_mode: z.optional(z.string().check(z.minLength(1))),
  }),
]);
/** An agent of {@link AgentSpec}. */
export type AgentSpec = z.infer<typeof AgentSpec>;

/** What one stage may override: its agent, how many tasks it works on at once, its prompt template. */
export const StageSettings = z.object({
  agent: z.optional(AgentSpec),
  max_workers: z.optional(positive),
  /** A file whose text replaces the stage's built-in prompt template. */
  prompt_file: z.optional(z.string().check(z.minLength(1))),
});
/** A stage's overrides. */
export type StageSettings = z.infer<typeof StageSettings>;

/** The GitHub labels that stand for the pipeline's stages (HydraFlow's names by default). */
export const GithubLabels = z.object({
  find: z.string().check(z.minLength(1)),
  plan: z.string().check(z.minLength(1)),
  ready: z.string().check(z.minLength(1)),
  review: z.string().check(z.minLength(1)),
  fixed: z.string().check(z.minLength(1)),
  hitl: z.string().check(z.minLength(1)),
});
/** The stage labels of {@link GithubLabels}. */
export type GithubLabels = z.infer<typeof GithubLabels>;

/** The pipeline of one repo, every default applied. */
export const PipelineSettings = z.object({
  enabled: z.boolean(),
  source: z.enum(['local', 'github']),
  /** The git remote branches are pushed to and merges land on. */
  remote: z.string().check(z.minLength(1)),
  /** The branch changes are merged into; null: the remote's HEAD branch. */
  base_branch: z.nullable(z.string().check(z.minLength(1))),
  poll_interval_ms: duration,
  agent_timeout_ms: duration,
  max_issue_attempts: positive,
  max_review_fix_attempts: positive,
  max_plan_attempts: positive,
  /** Tasks one stage works on at once, unless the stage says otherwise. */
  max_workers: positive,
  /** `source: github`: the repository as owner/name; null: the one the remote's URL names. */
  github_repo: z.nullable(z.string().check(z.minLength(1))),
  /** `source: github`: GitHub's REST API (a GitHub Enterprise server's for another). */
  api_url: z.string().check(z.minLength(1)),
  /** `source: github`: the labels of the stages. */
  labels: GithubLabels,
  /** `source: github`: a comment on a task in the human queue that starts with this is the human's correction. */
  hitl_correction_prefix: z.string().check(z.minLength(1)),
  agent: AgentSpec,
  stages: z.object({
    triage: z.optional(StageSettings),
    plan: z.optional(StageSettings),
    implement: z.optional(StageSettings),
    review: z.optional(StageSettings),
    hitl: z.optional(StageSettings),
  }),
});
/** A repo's pipeline settings. */
export type PipelineSettings = z.infer<typeof PipelineSettings>;

/** The pipeline defaults (HydraFlow's where it has them); the agent has none and must be configured. */
export const PIPELINE_DEFAULTS = {
  enabled: false,
  source: 'local',
  remote: 'origin',
  base_branch: null,
  poll_interval_ms: 30_000,
  agent_timeout_ms: 3_600_000,
  max_issue_attempts: 3,
  max_review_fix_attempts: 2,
  max_plan_attempts: 3,
  max_workers: 1,
  github_repo: null,
  api_url: 'https://api.github.com',
  labels: {
    find: 'hydraflow-find',
    plan: 'hydraflow-plan',
    ready: 'hydraflow-ready',
    review: 'hydraflow-review',
    fixed: 'hydraflow-fixed',
    hitl: 'hydraflow-hitl',
  },
  hitl_correction_prefix: 'Correction:',
} as const satisfies Omit<PipelineSettings, 'agent' | 'stages'>;

/** The environment variable that carries a repo's {@link PipelineSettings} to its worker, as JSON. */
export const PIPELINE_ENV = 'REPOVISOR_PIPELINE';
