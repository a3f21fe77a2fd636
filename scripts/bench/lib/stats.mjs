// Summaries of repeated measurements: median, spread, percentiles, and the
// formatting of durations and sizes used by the table and the report.

/** The p-th percentile (0..100) of numbers, by nearest rank on a sorted copy. */
export function percentile(values, p) {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank];
}

/** Median, min, max and count of a list of numbers (NaN fields when empty). */
export function summary(values) {
  const clean = values.filter((value) => Number.isFinite(value));
  if (clean.length === 0) return { median: NaN, min: NaN, max: NaN, n: 0 };
  const sorted = [...clean].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  return { median, min: sorted[0], max: sorted[sorted.length - 1], n: sorted.length };
}

/** A duration in ms, in a readable unit. */
export function ms(value) {
  if (!Number.isFinite(value)) return 'n/a';
  if (value < 1) return `${(value * 1000).toFixed(0)} µs`;
  if (value < 100) return `${value.toFixed(value < 10 ? 2 : 1)} ms`;
  if (value < 10_000) return `${value.toFixed(0)} ms`;
  return `${(value / 1000).toFixed(1)} s`;
}

/** A byte count in MiB. */
export function mib(bytes) {
  return Number.isFinite(bytes) ? `${(bytes / 1048576).toFixed(1)} MiB` : 'n/a';
}

/** "median (min–max, n=k)" with `format` applied to each number. */
export function spread(stats, format = ms) {
  if (stats === undefined || stats.n === 0) return 'n/a';
  if (stats.n === 1) return `${format(stats.median)} (n=1)`;
  return `${format(stats.median)} (${format(stats.min)}–${format(stats.max)}, n=${stats.n})`;
}
