// The pipeline phase (issue 14): what the worker's pipeline costs besides
// its agents and git. Per-task overhead and stage hand-offs on standalone
// workers (phases/pipeline-tasks.mjs), task workspaces on a large repository
// (phases/pipeline-workspaces.mjs), and idle memory with the pipeline on
// (phases/pipeline-idle.mjs).
import { pipelineIdle } from './pipeline-idle.mjs';
import { pipelineTasks } from './pipeline-tasks.mjs';
import { pipelineWorkspaces } from './pipeline-workspaces.mjs';

/** Sizes of the phase: the full run's (issue 14's), and small ones for `--quick`. */
export const PIPELINE_PLANS = {
  full: { repos: 5, perRepo: 10, files: 50_000, commits: 300, workspaceRuns: 2, idleSamples: 3 },
  quick: { repos: 2, perRepo: 3, files: 5_000, commits: 50, workspaceRuns: 2, idleSamples: 2 },
};

/** Runs the pipeline phase with `plan` (one of {@link PIPELINE_PLANS}). */
export async function pipelinePhase({ tmp, plan, progress }) {
  const started = performance.now();
  const tasks = await pipelineTasks({ tmp, repos: plan.repos, perRepo: plan.perRepo, progress });
  const workspaces = await pipelineWorkspaces({ tmp, files: plan.files, commits: plan.commits, runs: plan.workspaceRuns, progress });
  const idle = await pipelineIdle({ tmp, samples: plan.idleSamples });
  const durationS = (performance.now() - started) / 1000;
  progress(`pipeline phase done in ${durationS.toFixed(0)} s`);
  return { tasks, workspaces, idle, durationS };
}
