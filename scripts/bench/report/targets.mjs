// The targets of issue 6 (and issue 14's for the pipeline), each checked as a ratio of figures measured in the
// same run: {target, measured, ratio, limit, pass}. A ratio at or under its
// limit passes; a target whose figures are missing (a contender skipped) is
// reported as not measured.
import { percentile, summary } from '../lib/stats.mjs';
import { pipelineFigures } from './pipeline-figures.mjs';

const med = (values) => summary(values ?? []).median;

function check(target, measured, ratio, limit, strict = false) {
  if (!Number.isFinite(ratio)) return { target, measured: 'not measured', ratio: NaN, limit, pass: null };
  return { target, measured, ratio, limit, pass: strict ? ratio < limit : ratio <= limit };
}

/** Every target as a row; `r` is the run's results object. */
export function checkTargets(r) {
  const rows = [];
  const spawn = r.spawn;
  const largest = Math.max(...r.sizes);
  const s = (value) => `${(value / 1000).toFixed(2)} s`;
  for (const size of r.sizes) {
    const mine = med(spawn.repovisor?.[size]?.ms);
    const floor = med(spawn.floor?.[size]?.ms);
    rows.push(check(`spawn-to-healthy, ${size} repos ≤ 1.15× the floor`, `${s(mine)} vs ${s(floor)}`, mine / floor, 1.15));
    for (const other of ['pm2', 'supervisord']) {
      const theirs = med(spawn[other]?.[size]?.ms);
      rows.push(check(`spawn-to-healthy, ${size} repos faster than ${other === 'pm2' ? 'PM2' : 'supervisord'}`, `${s(mine)} vs ${s(theirs)}`, mine / theirs, 1, true));
    }
  }
  const restart = (name) => med(r.restart?.[name]);
  rows.push(check('restart after SIGKILL ≤ 1.2× the respawn loop', `${restart('repovisor').toFixed(0)} ms vs ${restart('floor').toFixed(0)} ms`, restart('repovisor') / restart('floor'), 1.2));
  rows.push(check('restart after SIGKILL faster than PM2', `${restart('repovisor').toFixed(0)} ms vs ${restart('pm2').toFixed(0)} ms`, restart('repovisor') / restart('pm2'), 1, true));
  const mibOf = (bytes) => `${(bytes / 1048576).toFixed(1)} MiB`;
  const worker = r.steady?.idleWorkerRss?.median;
  const plain = med(spawn.floor?.[largest]?.appRss);
  rows.push(check('idle worker RSS ≤ 1.15× a plain node HTTP server', `${mibOf(worker)} vs ${mibOf(plain)}`, worker / plain, 1.15));
  const sup = med(spawn.repovisor?.[largest]?.managerRss);
  const god = med(spawn.pm2?.[largest]?.managerRss);
  rows.push(check(`supervisor RSS with ${largest} workers below PM2's daemon with ${largest} apps`, `${mibOf(sup)} vs ${mibOf(god)}`, sup / god, 1, true));
  const samples = r.steady?.rssSamples ?? [];
  rows.push(check(`supervisor RSS flat over ${Math.round(r.steady?.cpuWindowS ?? 0)} s (last ≤ 1.05× first)`, `${mibOf(samples[0])} → ${mibOf(samples.at(-1))}`, samples.at(-1) / samples[0], 1.05));
  const status = med(spawn.repovisor?.[largest]?.cli);
  const jlist = med(spawn.pm2?.[largest]?.cli);
  rows.push(check(`\`supervisor status\` with ${largest} repos no slower than \`pm2 jlist\``, `${status.toFixed(0)} ms vs ${jlist.toFixed(0)} ms`, status / jlist, 1));
  const p50 = med(r.protocol?.worker?.p50);
  rows.push(check('protocol round trip p50 ≤ 100 µs (health to a worker)', `${(p50 * 1000).toFixed(0)} µs`, p50 / 0.1, 1));
  const p99 = med(r.steady?.concurrent?.map((run) => run.p99));
  const floorP99 = med(r.steady?.baseline?.map((run) => run.p99));
  const floorNote = Number.isFinite(floorP99) ? ` (a plain server with the same bytes: ${floorP99.toFixed(2)} ms)` : '';
  rows.push(check(`GET /api/repos p99 ≤ 5 ms with ${r.steady?.workers ?? '?'} repos (${r.steady?.concurrency} clients)`, `${p99.toFixed(2)} ms${floorNote}`, p99 / 5, 1));
  const cpu = r.steady?.cpuShare;
  rows.push(check(`probing ${r.steady?.workers ?? '?'} workers every second ≤ 3 % of one core`, `${(cpu * 100).toFixed(2)} %`, cpu / 0.03, 1));
  const pipeline = pipelineFigures(r);
  if (pipeline !== undefined) {
    const overhead = percentile(pipeline.overhead, 50);
    rows.push(check(`pipeline overhead p50 ≤ 250 ms a task beyond its agents and git (${pipeline.tasks} tasks, ${pipeline.repos} workers)`, `${overhead.toFixed(0)} ms (p99 ${percentile(pipeline.overhead, 99).toFixed(0)} ms)`, overhead / 250, 1));
    const handoff = percentile(pipeline.handoffs, 99);
    rows.push(check('stage hand-off p99 ≤ 20 ms (HydraFlow polls: ~15 s mean)', `${handoff.toFixed(0)} ms (p50 ${percentile(pipeline.handoffs, 50).toFixed(0)} ms)`, handoff / 20, 1));
    rows.push(check('idle worker RSS with the pipeline on ≤ 1.15× a plain node HTTP server', `${mibOf(pipeline.idlePipeline)} vs ${mibOf(pipeline.idleServer)}`, pipeline.idlePipeline / pipeline.idleServer, 1.15));
  }
  return rows;
}

/** "PASS", "MISS" or "n/a" for a row. */
export function verdict(row) {
  if (row.pass === null) return 'n/a';
  return row.pass ? 'PASS' : 'MISS';
}
