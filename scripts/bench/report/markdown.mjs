// docs/BENCHMARKS.md, written by the bench from a run's results: machine and
// versions, the command, how each figure is measured, the tables, the targets,
// the growth section with the plot, and the findings kept by hand in
// scripts/bench/analysis.md.
import { readFileSync } from 'node:fs';
import { summary } from '../lib/stats.mjs';
import { memoryTable, otherTable, spawnTable, spawnWithoutExtraCaTable, workerStartTable } from './figures.mjs';
import { pipelineTable } from './pipeline-figures.mjs';
import { targetsTable } from './table.mjs';

/** "none", or which contender at which size needed a second try. */
function retriedRuns(r) {
  const list = Object.entries(r.spawn).flatMap(([name, bySize]) => Object.entries(bySize).filter(([, record]) => (record.retried ?? 0) > 0).map(([size, record]) => `${name} at ${size}: ${record.retried}`));
  return list.length === 0 ? 'none' : list.join(', ');
}

const escape = (cell) => String(cell).replaceAll('|', '\\|');

function md({ title, header, rows }) {
  return [`**${title}**`, '', `| ${header.map(escape).join(' | ')} |`, `|${header.map(() => '---').join('|')}|`, ...rows.map((row) => `| ${row.map(escape).join(' | ')} |`)].join('\n');
}

function growth(r) {
  const first = Math.min(...r.sizes);
  const last = Math.max(...r.sizes);
  const rows = r.contenders.map((name) => {
    const at = (size, key) => summary(r.spawn[name]?.[size]?.[key] ?? []).median;
    const msPerRepo = (at(last, 'ms') - at(first, 'ms')) / (last - first);
    const kibPerRepo = (at(last, 'managerRss') - at(first, 'managerRss')) / (last - first) / 1024;
    return [name, `${msPerRepo.toFixed(0)} ms`, `${kibPerRepo.toFixed(0)} KiB`, `${(at(last, 'ms') / at(first, 'ms')).toFixed(1)}×`];
  });
  return md({
    title: `Marginal cost of one more repo, from ${first} to ${last} (medians)`,
    header: ['contender', 'spawn-to-healthy per repo', 'manager RSS per repo', `time at ${last} / time at ${first}`],
    rows,
  });
}

/** The spawn table without NODE_EXTRA_CA_CERTS and what it is for, when the run has it. */
function withoutExtraCa(r) {
  const table = spawnWithoutExtraCaTable(r);
  if (table === undefined) return '';
  return `
This machine sets \`NODE_EXTRA_CA_CERTS\`, so every node process parses that
CA bundle at start (~40 ms of CPU here). Repovisor's workers do not (the
supervisor hands the variable over under another name and the worker puts it
back for what it runs; docs/CONFIGURATION.md); the floor's servers and the
apps under PM2 and supervisord do. So that no one reads the ratios above as a
machine-independent figure, the same starts and restarts without the variable in anyone's
environment (Repovisor and the floor only, the same runs as above):

${md(table)}
`;
}

/** How the pipeline phase measures, and its table, when the run has it. */
function pipelineSection(r) {
  const p = r.pipeline;
  if (p === undefined) return '';
  const t = p.tasks;
  return `
## The pipeline

Measured by \`scripts/bench/phases/pipeline.mjs\` (part of \`npm run bench\`;
\`node scripts/bench/run.mjs --quick\` runs it with 2 workers, 3 tasks each
and a 5,000-file repository; \`node scripts/bench/run.mjs --pipeline-only\`
runs this phase alone and keeps the other figures)${r.pipelineRevision === undefined ? '' : `, at revision ${r.pipelineRevision}`}.

- **Per-task overhead**: ${t.repos} standalone workers (\`repo-worker\`, no
  supervisor), each on its own repository with a bare origin, with the pipeline on
  (\`REPOVISOR_PIPELINE\`: \`local\` source, HydraFlow's 30 s
  \`poll_interval_ms\`, one run per stage at a time), all up at once. The
  agent (\`scripts/bench/fixtures/instant-agent.mjs\`, a node script) answers
  every stage at once by the markers (triage ready, a one-line plan, one
  commit, \`VERDICT: APPROVE\`) and appends its own lifetime (from node's
  \`performance.timeOrigin\` to its \`exit\`) to a file. Each worker runs
  ${t.perRepo} tasks, one task at a time across all workers in turn (the next
  is created when one is done; one warm-up task per worker before, not
  counted), so that a task's window holds only its own work and no other
  worker competes for the ${r.machine.cores} cores. Its window is from sending \`POST /api/tasks\` to the
  timestamp of its \`phase_change\` to \`done\` (after the squash merge is
  pushed). Subtracted: the time its agents' processes cover, and the time the
  worker's git processes cover, read from git's own trace
  (\`GIT_TRACE2_EVENT\`: each process from its start to its \`atexit\`,
  microseconds; a git started by git, as a push's \`receive-pack\`, inside
  its parent), overlaps counted once. What is left is the worker's: spawning
  and reaping processes, reading their output, writing task files, change
  records, transcripts and events, and the HTTP calls. The row "idle right
  before a git process starts" says how much of it is spent just before a
  git process begins, which is mostly spawning it.
- **Stage hand-off**: from a task's \`phase_change\` event (published once the
  result is persisted) to the next stage's \`*_update\` event with status
  \`started\` (published once that run is persisted as active, before its
  workspace is prepared), from the events' timestamps (milliseconds: a
  hand-off under 1 ms reads 0 or 1 ms). The merge has no \`started\` event:
  its hand-off is from \`review_update\` done to the merge's first git
  process, from the git trace. HydraFlow's stages poll every
  \`poll_interval\` (30 s by default), so a task waits up to 30 s at each
  hand-off, 15 s on average.
- **Workspaces**: the worker's own \`TaskWorkspaces\` (imported from the
  built \`packages/worker/dist/pipeline/git/\`) on a repository of
  \`scripts/bench/lib/large-repo.mjs\` (${p.workspaces.files.toLocaleString('en-US')} files, ${p.workspaces.commits} commits, made in
  ${p.workspaces.repoMadeS.toFixed(0)} s): a task's first prepare (\`git clone --local --no-checkout\`,
  fetch from the origin, checkout of the task's branch), then, after a commit,
  an edit and an untracked file in it, a prepare again (fetch, reset,
  checkout, clean); ${p.workspaces.runs} tasks. Checking out 50,000 files is disk-bound: on a
  machine with other work writing to disk it varies several times over.
- **Idle memory**: RSS ${p.idle.settleMs / 1000} s after start (the pipeline's first poll round,
  which opens the change host, has run) of ${p.idle.rss.server.length} plain node HTTP servers
  (\`fixtures/http-server.mjs\`), ${p.idle.rss.noPipeline.length} standalone workers with the pipeline off and
  ${p.idle.rss.pipeline.length} with it on and no task, each on its own repository; what a worker
  loads with the pipeline on and not off is from \`fixtures/count-modules.mjs\`
  (files) and \`fixtures/load-list.mjs\` (Node's own \`process.moduleLoadList\`).

${md(pipelineTable(r))}
`;
}

/** The document's text. */
export function benchmarksMarkdown(r, { analysisFile, plotPath }) {
  const m = r.machine;
  const analysis = readFileSync(analysisFile, 'utf8').trim();
  return `# Benchmarks

Generated by \`npm run bench\` (\`scripts/bench/\`); do not edit by hand: the
figures are rewritten by every run. The section *Why the misses* comes from
\`scripts/bench/analysis.md\`. The benchmark is separate from \`npm test\`: no
timing threshold is part of the tests.

## Machine and versions

| | |
|---|---|
| machine | ${m.cores} cores, ${m.memoryGiB.toFixed(1)} GiB memory, ${m.cpuModel} |
| system | ${m.os}, Linux ${m.kernel} |
| node / npm | ${m.node} / ${m.npm} |
| PM2 | ${m.pm2 ?? 'not available: skipped'} (latest from the registry, installed into \`${r.pm2Prefix}\`) |
| supervisord | ${m.supervisord ?? 'not installed: skipped'} (Debian's \`supervisor\` package) |
| git | ${m.git} |
| Repovisor | ${r.revision} |
| run | ${m.date}, took ${(r.durationS / 60).toFixed(1)} min |

Command: \`npm run bench\` (that is \`npm run build && node scripts/bench/run.mjs\`).

## How each figure is measured

Everything runs on loopback, in temporary folders, with real git repositories
(\`git init\` and one commit each). Every contender's app is the same plain node
HTTP server (\`scripts/bench/fixtures/http-server.mjs\`, which answers with its
pid); Repovisor runs its real worker (\`packages/worker/dist/bundle/repo-worker.cjs\`).

- **Spawn-to-healthy**: from starting the manager, cold, until every app is
  healthy: Repovisor from \`supervisor start repos.yaml\` until \`GET
  /api/repos\` shows every repo \`running\` (polled every 20 ms); PM2 from
  \`pm2 start ecosystem.config.cjs\` (its daemon included, private
  \`PM2_HOME\`, all apps in one file) until every port answers; supervisord
  from \`supervisord -n -c <temp>/supervisord.conf\` until every port answers;
  the floor from starting \`fixtures/floor.mjs\` (a bare node script spawning
  the servers) until it reports that every port answers (it polls them
  itself; the bench does not poll them a second time). Ports are polled every
  20 ms each, which costs the port-polled contenders more CPU than
  Repovisor's single \`GET /api/repos\`: if anything, Repovisor is favoured. Sizes ${r.sizes.join(', ')}; runs per size:
  ${r.sizes.map((size) => `${size}: ${r.runsFor[size]}`).join(', ')}; the order of the contenders rotates each run.
  Repovisor runs with its defaults except \`start_timeout_ms: 60000\` (so a
  slow hello on a loaded machine is measured, not restarted; restarts seen:
  ${r.sizes.map((size) => `${size}: ${r.spawn.repovisor?.[size]?.restarts ?? 'n/a'}`).join(', ')}).
  Ports for PM2, supervisord and the floor are picked below the kernel's
  ephemeral range, so that no outgoing connection takes one before its app
  binds it; a run that fails anyway is retried once (retried runs: ${retriedRuns(r)}).
- **Memory**: RSS (\`VmRSS\` in \`/proc/<pid>/status\`) one second after healthy;
  the idle worker's after the steady-state window below.
- **Restart after SIGKILL**: one app; SIGKILL to its pid, until it is healthy
  again in a new process (its port answers with a new pid; for Repovisor,
  \`GET /api/repos\` shows it \`running\` with a new pid), polled every 5 ms;
  ${r.restartRuns} kills each, 1.2 s apart. Repovisor with \`restart:
  {initial_delay_ms: 0}\`; PM2 and supervisord with their defaults; the floor
  is \`fixtures/respawn-loop.mjs\`.
- **Hang detection**: three workers of one supervisor frozen with SIGSTOP at
  staggered moments, until each is replaced (running with a new pid); restart
  delay 0, so the figure is detection plus respawn.
- **Protocol**: sequential round trips (${'5,000'} per run after a 2,000 warm-up) and
  pipelined throughput (20,000 requests, 1,000 in flight) over one
  \`Connection\` on loopback TCP, ${r.protocolRuns} runs.
- **Steady state**: a supervisor with ${r.steady.workers} repos, probes every second
  (\`health: {interval_ms: 1000}\`); after 5 s, a quiet window of
  ${Math.round(r.steady.cpuWindowS)} s${r.steady.cpuWindowS < 59 ? ' (shortened from 60 s to keep the run under 10 minutes)' : ''}
  for the supervisor's CPU share (utime+stime from \`/proc/<pid>/stat\`) and
  its RSS every 5 s; then \`GET /api/repos\` from keep-alive clients
  (one client for 2 s and ${r.steady.concurrency} clients for 3 s, ${r.steady.single.length} runs each).
- **CLI**: \`supervisor status --home …\` and \`pm2 jlist\` (private
  \`PM2_HOME\`), each a fresh process, with ${Math.max(...r.sizes)} apps up, 3 runs each.

## Results

${md(spawnTable(r))}
${withoutExtraCa(r)}
${md(memoryTable(r))}

${md(otherTable(r))}

${md(workerStartTable(r))}
${pipelineSection(r)}
## Targets

${md(targetsTable(r))}

## How cost grows

![Spawn-to-healthy and manager RSS against the number of repos](${plotPath})

${growth(r)}

The floor's slope is what a node process costs to start on this machine
(spawned in parallel on ${m.cores} cores); a manager can only add to it. The
supervisor's memory is its own process only; each worker is a further
process of its own (the idle worker's RSS above), as is each app under PM2
and supervisord.

${analysis}
`;
}
