// The pipeline's own cost per task and per hand-off (issue 14): `repos`
// standalone workers, each on its own repository with a bare origin, all up,
// run `perRepo` tasks each, one task at a time in turn across the workers (a
// task is created when the one before is done, so that a task's window holds
// only its own work and no other worker's CPU). The agent (fixtures/instant-agent.mjs) answers at once and logs its
// lifetime; each worker's git is traced (GIT_TRACE2_EVENT). A task's overhead
// is its window (POST sent → its phase_change to done) less the time its
// agents and the worker's git processes cover.
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { agentSpans, covered, gitSpans } from '../lib/timeline.mjs';
import { allEvents, api, benchPipeline, createOriginRepo, endWorker, startPipelineWorker } from '../lib/pipeline-rig.mjs';

const STARTED_EVENT = { plan: 'planner_update', implement: 'worker_update', review: 'review_update' };
const TASK_DEADLINE_MS = 60_000;
const POLL_MS = 50;
const now = () => performance.timeOrigin + performance.now();

/** Creates a task and resolves {id, created} once it is done (polled every 50 ms; the done time comes from the events). */
async function oneTask(base, index) {
  const created = now();
  const title = `Bench task number ${index}`;
  const body = `Write the file task-${index}.txt with one line in it, so that the pipeline has one small commit to merge.`;
  const answer = await api(base, 'POST', '/api/tasks', { title, body });
  if (answer.status !== 201) throw new Error(`POST /api/tasks answered ${answer.status}: ${JSON.stringify(answer.body)}`);
  const { id } = answer.body;
  const deadline = Date.now() + TASK_DEADLINE_MS;
  for (;;) {
    const { body: task } = await api(base, 'GET', `/api/tasks/${id}`);
    if (task.stage === 'done') return { id, created };
    if (['hitl', 'parked', 'closed'].includes(task.stage)) throw new Error(`bench task ${id} went to ${task.stage}: ${task.last_error ?? JSON.stringify(task.history.at(-1))}`);
    if (Date.now() > deadline) throw new Error(`bench task ${id} was not done within ${TASK_DEADLINE_MS} ms (stage ${task.stage}, status ${task.status})`);
    await sleep(POLL_MS);
  }
}

/** The figures of one worker's tasks, from its events, its git trace and its agents' log. */
function analyse(tasks, events, git, agents) {
  const at = (event) => Date.parse(event.timestamp);
  const perTask = [];
  for (const { id, created } of tasks) {
    const done = events.find((event) => event.type === 'phase_change' && event.data.issue === id && event.data.to === 'done');
    if (done === undefined) throw new Error(`task ${id} has no phase_change to done among the worker's events`);
    const end = at(done);
    const mine = agents.filter((span) => span.task === id);
    const totalMs = end - created;
    const agentMs = covered(mine, created, end);
    const busyMs = covered([...mine, ...git], created, end);
    const byCommand = {};
    for (const span of git.filter((each) => !each.nested)) byCommand[span.command] = (byCommand[span.command] ?? 0) + covered([span], created, end);
    // The idle time right before each git process starts: the worker spawning it (and whatever it did just before).
    let reach = created;
    let gitStartGapMs = 0;
    let gitProcesses = 0;
    for (const span of [...mine, ...git.filter((each) => !each.nested && each.end > created && each.start < end)].sort((a, b) => a.start - b.start)) {
      if (span.command !== undefined) {
        gitProcesses += 1;
        gitStartGapMs += Math.max(0, span.start - reach);
      }
      reach = Math.max(reach, span.end);
    }
    perTask.push({ id, totalMs, agentMs, gitMs: busyMs - agentMs, overheadMs: totalMs - busyMs, gitStartGapMs, gitProcesses, agentRuns: mine.length, byCommand });
  }
  const ids = new Set(tasks.map((task) => task.id));
  const handoffs = [];
  for (const change of events.filter((event) => event.type === 'phase_change' && ids.has(event.data.issue) && STARTED_EVENT[event.data.to] !== undefined)) {
    const started = events.find((event) => event.id > change.id && event.type === STARTED_EVENT[change.data.to] && event.data.issue === change.data.issue && event.data.status === 'started');
    if (started === undefined) continue;
    const agent = agents.find((span) => span.task === change.data.issue && span.stage === change.data.to && span.start >= at(change) - 1);
    handoffs.push({ kind: `${change.data.from}→${change.data.to}`, ms: at(started) - at(change), toAgentStartMs: agent === undefined ? NaN : agent.start - at(change) });
  }
  // Review approved (review_update done) → the merge's first git process: the merge lane has no started event.
  for (const review of events.filter((event) => event.type === 'review_update' && ids.has(event.data.issue) && event.data.status === 'done')) {
    const first = git.filter((span) => span.start >= at(review)).sort((a, b) => a.start - b.start)[0];
    if (first !== undefined) handoffs.push({ kind: 'review→merge', ms: first.start - at(review), toAgentStartMs: NaN, source: 'trace2' });
  }
  return { perTask, handoffs };
}

/** Runs `perRepo` tasks on each of `repos` workers, one task at a time; resolves with the per-task figures and the hand-offs. */
export async function pipelineTasks({ tmp, repos, perRepo, progress }) {
  const rigs = [];
  for (let index = 0; index < repos; index += 1) {
    const folder = join(tmp, 'pipeline', `repo-${index}`);
    const { repo } = await createOriginRepo(folder);
    rigs.push({ repo, dataRoot: join(folder, 'data'), trace: join(folder, 'git-trace.json'), times: join(folder, 'agent-times.jsonl') });
  }
  const workers = [];
  try {
    for (const rig of rigs) {
      const extraEnv = { GIT_TRACE2_EVENT: rig.trace, RVBENCH_AGENT_TIMES: rig.times };
      workers.push(await startPipelineWorker({ repo: rig.repo, dataRoot: rig.dataRoot, pipeline: benchPipeline(), slug: `bench/pipeline-${workers.length}`, extraEnv }));
    }
    const started = performance.now();
    // One warm-up task per worker first (its first agent run loads the agent runner): not counted.
    const warmups = [];
    for (const { base } of workers) warmups.push(await oneTask(base, 0));
    const runs = workers.map(() => []);
    for (let index = 1; index <= perRepo; index += 1) {
      for (const [at, { base }] of workers.entries()) runs[at].push(await oneTask(base, index));
    }
    const wallS = (performance.now() - started) / 1000;
    const perTask = [];
    const handoffs = [];
    const firstTasks = [];
    for (const [index, { base }] of workers.entries()) {
      const events = await allEvents(base);
      const git = gitSpans(rigs[index].trace);
      const agents = agentSpans(rigs[index].times);
      const figures = analyse(runs[index], events, git, agents);
      perTask.push(...figures.perTask);
      handoffs.push(...figures.handoffs);
      firstTasks.push(...analyse([warmups[index]], events, git, agents).perTask);
    }
    progress(`pipeline: ${perTask.length} tasks on ${repos} workers done in ${wallS.toFixed(1)} s (after ${repos} warm-up tasks)`);
    return { repos, perRepo, wallS, perTask, handoffs, firstTasks };
  } finally {
    await Promise.all(workers.map(({ child }) => endWorker(child)));
  }
}
