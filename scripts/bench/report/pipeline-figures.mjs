// The pipeline phase's figures (issue 14): the numbers its targets check,
// and its table for the printed report and docs/BENCHMARKS.md.
import { mib, ms, percentile, spread, summary } from '../lib/stats.mjs';

const pair = (values, format = ms) => `${format(percentile(values, 50))} / ${format(percentile(values, 99))}`;

/** The numbers the targets need, or undefined when the run has no pipeline phase. */
export function pipelineFigures(r) {
  const p = r.pipeline;
  if (p === undefined) return undefined;
  const tasks = p.tasks.perTask;
  const handoffs = p.tasks.handoffs.filter((each) => each.kind !== 'review→merge');
  return {
    tasks: tasks.length,
    repos: p.tasks.repos,
    overhead: tasks.map((task) => task.overheadMs),
    handoffs: handoffs.map((each) => each.ms),
    idlePipeline: summary(p.idle.rss.pipeline).median,
    idleServer: summary(p.idle.rss.server).median,
  };
}

function gitByCommand(tasks) {
  const totals = {};
  for (const task of tasks) for (const [command, value] of Object.entries(task.byCommand)) totals[command] = (totals[command] ?? 0) + value / tasks.length;
  return Object.entries(totals)
    .sort((a, b) => b[1] - a[1])
    .slice(0, 6)
    .map(([command, value]) => `${command} ${ms(value)}`)
    .join(', ');
}

/** The pipeline table, or undefined when the run has no pipeline phase. */
export function pipelineTable(r) {
  const p = r.pipeline;
  if (p === undefined) return undefined;
  const tasks = p.tasks.perTask;
  const of = (key) => tasks.map((task) => task[key]);
  const kinds = [...new Set(p.tasks.handoffs.map((each) => each.kind))];
  const handoffs = p.tasks.handoffs.filter((each) => each.kind !== 'review→merge');
  const toAgent = handoffs.map((each) => each.toAgentStartMs).filter(Number.isFinite);
  const ws = p.workspaces;
  const rows = [
    [`a task, POST /api/tasks → its phase_change to done (${tasks.length} tasks on ${p.tasks.repos} workers, one at a time)`, pair(of('totalMs'))],
    ['  covered by its agents\' processes (4 runs a task)', pair(of('agentMs'))],
    [`  covered by the worker's git processes (${percentile(of('gitProcesses'), 50)} a task; by command, mean a task: ${gitByCommand(tasks)})`, pair(of('gitMs'))],
    ['  beyond agents and git: the pipeline\'s own time', pair(of('overheadMs'))],
    ['  of that, idle right before a git process starts (the worker spawning it)', pair(of('gitStartGapMs'))],
    ['  beyond agents, git and that idle time', pair(tasks.map((task) => task.overheadMs - task.gitStartGapMs))],
    ['  beyond agents only (git included)', pair(tasks.map((task) => task.totalMs - task.agentMs))],
    [`a fresh worker's first task (loads the agent runner; not in the rows above), beyond agents and git`, spread(summary(p.tasks.firstTasks.map((task) => task.overheadMs)))],
    [`stage hand-off: phase_change → the next stage's *_update started (${handoffs.length}; event timestamps, 1 ms resolution)`, pair(handoffs.map((each) => each.ms))],
    ...kinds.map((kind) => [`  ${kind}${kind === 'review→merge' ? ' (review_update done → the merge\'s first git process, from the git trace)' : ''}`, pair(p.tasks.handoffs.filter((each) => each.kind === kind).map((each) => each.ms))]),
    ['  phase_change → the next agent\'s process started (its workspace prepared by git on the way)', pair(toAgent)],
    ['  HydraFlow (polling, poll_interval 30 s): up to 30 s a hand-off, 15 s mean (computed, not measured)', '15 s / 30 s'],
    [`workspace on a large repository (${ws.files.toLocaleString('en-US')} files, ${ws.commits} commits): first prepare`, spread(summary(ws.firstMs))],
    ['  the same workspace prepared again (after a commit, an edit and an untracked file)', spread(summary(ws.againMs))],
    [`idle RSS ${p.idle.settleMs / 1000} s after start: plain node HTTP server`, spread(summary(p.idle.rss.server), mib)],
    ['  standalone worker, pipeline off', spread(summary(p.idle.rss.noPipeline), mib)],
    ['  standalone worker, pipeline on, no task', spread(summary(p.idle.rss.pipeline), mib)],
    ['  loaded at start with the pipeline on and not off', [...p.idle.loadedWithPipeline.files, ...p.idle.loadedWithPipeline.internals].join(', ') || 'nothing'],
  ];
  return { title: `The pipeline (issue 14): p50 / p99 unless said (the phase took ${Math.round(p.durationS)} s)`, header: ['measurement', 'figure'], rows };
}
