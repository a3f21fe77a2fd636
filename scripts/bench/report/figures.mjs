// The run's figures as tables (a header row and rows of strings), shared by
// the printed table and docs/BENCHMARKS.md so both always say the same.
import { mib, ms, spread, summary } from '../lib/stats.mjs';

const NAMES = { floor: 'floor', repovisor: 'Repovisor', pm2: 'PM2', supervisord: 'supervisord' };
/** Which process is each contender's manager, for the memory table's title. */
const MANAGERS = { floor: 'floor: its spawner', repovisor: 'Repovisor: the supervisor', pm2: "PM2: its daemon", supervisord: 'supervisord: its daemon' };
const us = (value) => `${(value * 1000).toFixed(0)} µs`;
const pct = (value) => `${(value * 100).toFixed(2)} %`;
const perSecond = (value) => `${Math.round(value).toLocaleString('en-US')}/s`;

/** Spawn-to-healthy by size: one column per contender. */
export function spawnTable(r) {
  const names = r.contenders;
  return {
    title: 'Spawn-to-healthy (median, min–max over runs)',
    header: ['repos', ...names.map((name) => NAMES[name])],
    rows: r.sizes.map((size) => [String(size), ...names.map((name) => spread(summary(r.spawn[name]?.[size]?.ms ?? [])))]),
  };
}

/**
 * Spawn-to-healthy and restart of the floor and Repovisor with
 * NODE_EXTRA_CA_CERTS taken out of everyone's environment (when the machine
 * sets it), or undefined.
 */
export function spawnWithoutExtraCaTable(r) {
  const runs = r.spawnWithoutExtraCa;
  if (runs === undefined) return undefined;
  const sizes = Object.keys(runs.floor ?? {}).map(Number);
  const row = (label, floorMs, oursMs) => {
    const floor = summary(floorMs);
    const ours = summary(oursMs);
    return [label, spread(floor), spread(ours), `${(ours.median / floor.median).toFixed(2)}×`];
  };
  return {
    title: `Without NODE_EXTRA_CA_CERTS in any process's environment (median, min–max over runs; this machine sets it to ${runs.file})`,
    header: ['figure', 'floor', 'Repovisor', 'ratio'],
    rows: [
      ...sizes.map((size) => row(`spawn-to-healthy, ${size} repos`, runs.floor[size].ms, runs.repovisor[size].ms)),
      ...(runs.restart === undefined ? [] : [row('restart after SIGKILL (the floor: the respawn loop)', runs.restart.floor, runs.restart.repovisor)]),
    ],
  };
}

/** The manager's RSS by size, and the median app RSS at the largest size. */
export function memoryTable(r) {
  const names = r.contenders;
  const largest = Math.max(...r.sizes);
  return {
    title: `Manager RSS one second after healthy (${names.map((name) => MANAGERS[name]).join('; ')})`,
    header: ['repos', ...names.map((name) => NAMES[name])],
    rows: [
      ...r.sizes.map((size) => [String(size), ...names.map((name) => spread(summary(r.spawn[name]?.[size]?.managerRss ?? []), mib))]),
      [`one app (median of ${largest})`, ...names.map((name) => spread(summary(r.spawn[name]?.[largest]?.appRss ?? []), mib))],
    ],
  };
}

/** Everything else, one figure per row. */
export function otherTable(r) {
  const rows = [];
  const names = r.contenders;
  for (const name of names) {
    const label = name === 'floor' ? 'minimal respawn loop' : name === 'repovisor' ? 'Repovisor (restart delay 0)' : `${NAMES[name]} (defaults)`;
    rows.push([`restart after SIGKILL: ${label}`, spread(summary(r.restart[name] ?? []))]);
  }
  rows.push(['hang detection (SIGSTOP → replaced): default probes', spread(summary(r.hang.default ?? []))]);
  rows.push(['hang detection: tight probes (250 ms interval and timeout, threshold 2)', spread(summary(r.hang.tight ?? []))]);
  const p = r.protocol;
  for (const [key, label] of [['worker', 'health to a worker'], ['echoProcess', 'echo peer in another process'], ['raw', 'raw TCP ping-pong with another process, no protocol (floor)'], ['echo', 'echo pair in one process']]) {
    if (p[key] === undefined) continue;
    rows.push([`protocol round trip p50 / p99: ${label}`, `${spread(summary(p[key].p50), us)} / ${spread(summary(p[key].p99), us)}`]);
    rows.push([`protocol pipelined throughput: ${label}`, spread(summary(p[key].perSecond), perSecond)]);
  }
  const wp = r.workerProfile;
  rows.push(['RSS: bare `node -e` (idle)', spread(summary(wp.rss.bare), mib)]);
  rows.push(['RSS: plain node HTTP server', spread(summary(wp.rss.server), mib)]);
  rows.push(['RSS: standalone worker (HTTP, no supervisor)', spread(summary(wp.rss.worker), mib)]);
  const s = r.steady;
  rows.push([`RSS: idle worker under the supervisor (median of ${s.workers}, after the CPU window)`, spread(s.idleWorkerRss, mib)]);
  rows.push(['spawn to ready, alone: plain HTTP server (answers)', spread(summary(wp.ready.server))]);
  rows.push(['spawn to ready, alone: worker ("worker listening")', spread(summary(wp.ready.worker))]);
  rows.push([`GET /api/repos p50 / p99, 1 client (${s.workers} repos)`, `${spread(summary(s.single.map((run) => run.p50)))} / ${spread(summary(s.single.map((run) => run.p99)))}`]);
  rows.push([`GET /api/repos p50 / p99, ${s.concurrency} clients`, `${spread(summary(s.concurrent.map((run) => run.p50)))} / ${spread(summary(s.concurrent.map((run) => run.p99)))}`]);
  rows.push([`GET /api/repos throughput, ${s.concurrency} clients`, spread(summary(s.concurrent.map((run) => run.perSecond)), perSecond)]);
  if (s.baseline) {
    rows.push([`same bytes from a plain node:http server, p50 / p99, ${s.concurrency} clients (the floor)`, `${spread(summary(s.baseline.map((run) => run.p50)))} / ${spread(summary(s.baseline.map((run) => run.p99)))}`]);
  }
  rows.push([`supervisor CPU probing ${s.workers} workers every second (${Math.round(s.cpuWindowS)} s window)`, pct(s.cpuShare)]);
  rows.push([`all ${s.workers} workers' CPU in the same window (their git children included)`, pct(s.workersShare)]);
  rows.push([`supervisor RSS over the window (first → last, max)`, `${mib(s.rssSamples[0])} → ${mib(s.rssSamples.at(-1))}, max ${mib(Math.max(...s.rssSamples))}`]);
  const largest = Math.max(...r.sizes);
  if (r.spawn.repovisor?.[largest]) rows.push([`\`supervisor status\` with ${largest} repos`, spread(summary(r.spawn.repovisor[largest].cli))]);
  if (r.spawn.pm2?.[largest]) rows.push([`\`pm2 jlist\` with ${largest} apps`, spread(summary(r.spawn.pm2[largest].cli))]);
  return { title: 'Restart, hang, protocol, memory, API, CPU', header: ['measurement', 'median (min–max, n)'], rows };
}

/** The worker's start-up, by package: modules loaded, and CPU from its profile. */
export function workerStartTable(r) {
  const { modules, profile } = r.workerProfile;
  const buckets = new Set([...Object.keys(modules.byPackage), ...Object.keys(profile.selfMs), ...Object.keys(profile.importMs)]);
  const rows = [...buckets]
    .map((bucket) => [bucket, modules.byPackage[bucket] ?? 0, profile.importMs[bucket] ?? 0, profile.selfMs[bucket] ?? 0])
    .filter(([, count, imported, self]) => count > 0 || imported >= 0.5 || self >= 0.5)
    .sort((a, b) => b[3] + b[2] - (a[3] + a[2]));
  return {
    title: `One worker's start-up (node --cpu-prof, 100 µs sampling): ${modules.total} modules, ${ms(profile.busyMs)} of CPU until "worker listening" (${ms(profile.readyMs)} wall)`,
    header: ['package / bucket', 'modules loaded', 'top-level evaluation (incl.)', 'self CPU'],
    rows: rows.map(([bucket, count, imported, self]) => [bucket, String(count), imported > 0 ? ms(imported) : '', self > 0 ? ms(self) : '']),
  };
}
