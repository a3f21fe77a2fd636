import type { AgentStage, PipelineSettings } from '@repovisor/protocol';
import { PIPELINE_DEFAULTS } from '@repovisor/protocol';

/**
 * What a stage run, the merge or a human did to a task: the input of
 * `advance` (transitions.ts). One kind a result; the engine reads the kind
 * from the agent's markers (the agents' marker contract).
 */
export type StageOutcome =
  /** triage's JSON line: ready or not, with the reasons. */
  | { kind: 'triaged'; ready: boolean; reasons: string[] }
  /** plan's `PLAN_START` … `PLAN_END`. */
  | { kind: 'planned'; plan: string }
  /** plan's `ALREADY_SATISFIED_START` … `ALREADY_SATISFIED_END`: nothing to change. */
  | { kind: 'already_satisfied'; detail: string }
  /** An implement run ended; `commits` new commits on the branch (0 is a failed attempt), `change` when it opened one. */
  | { kind: 'implemented'; commits: number; change?: { number: number; url: string } }
  /** review's `VERDICT: APPROVE`: the change is to be merged. */
  | { kind: 'approved'; summary: string }
  /** review's `VERDICT: REQUEST_CHANGES`: back to implement with the feedback. */
  | { kind: 'changes_requested'; summary: string; feedback: string }
  /** The approved change is merged into the base branch. */
  | { kind: 'merged'; detail: string }
  /** The approved change cannot be merged as it is (it conflicts with the base): the code on the branch must change, so a human decides. */
  | { kind: 'merge_conflict'; detail: string }
  /** A hitl run (the human's correction applied by an agent) ended with `commits` new commits (0 is a failure), `change` when it opened one. */
  | { kind: 'fixed'; commits: number; change?: { number: number; url: string } }
  /**
   * An agent run of `stage` failed: no marker with a non-zero exit, a
   * timeout, a spawn error. `fatal`: retries cannot fix it (hitl at once).
   */
  | { kind: 'failed'; stage: AgentStage; reason: string; fatal?: boolean }
  /** The run ended without a result (the runtime stopped, the worker restarted): the stage runs again, no attempt counted. */
  | { kind: 'interrupted'; reason: string }
  /** A human's correction of a task in hitl. */
  | { kind: 'correct'; correction: string }
  /** A human parks a task in hitl. */
  | { kind: 'skip' }
  /** A human ends a task in hitl. */
  | { kind: 'close' };

/** The attempt caps, under their repos.yaml names. */
export type AttemptCaps = Pick<PipelineSettings, 'max_plan_attempts' | 'max_issue_attempts' | 'max_review_fix_attempts'>;

/** HydraFlow's caps: 3 plan attempts, 3 implement attempts, 2 review rejections. */
export const DEFAULT_CAPS: AttemptCaps = {
  max_plan_attempts: PIPELINE_DEFAULTS.max_plan_attempts,
  max_issue_attempts: PIPELINE_DEFAULTS.max_issue_attempts,
  max_review_fix_attempts: PIPELINE_DEFAULTS.max_review_fix_attempts,
};
