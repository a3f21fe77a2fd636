// The coverage table and its floors, from istanbul's json-summary of a run
// (coverage/coverage-summary.json): line and branch coverage per package and
// per folder (packages/<pkg>/src/<folder>; files directly in src/ are the row
// `src`). Usage: node scripts/coverage/summary-table.mjs [coverage-summary.json]
// (exit 1 when a package is below its floor).
import { readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Lines per package below this fail the coverage command. */
export const PACKAGE_LINE_FLOOR = 90;
/** Folders below this (lines) are listed: raise them, or say in docs/RELIABILITY.md why their lines cannot be reached. */
export const FOLDER_LINE_TARGET = 80;

function emptyCounts() {
  return { lines: { covered: 0, total: 0 }, branches: { covered: 0, total: 0 } };
}

function add(into, summary) {
  for (const metric of ['lines', 'branches']) {
    into[metric].covered += summary[metric].covered;
    into[metric].total += summary[metric].total;
  }
}

/** A percentage with one decimal, truncated (89.96 is not 90.0); undefined when there is nothing to count. */
export function percent({ covered, total }) {
  return total === 0 ? undefined : Math.floor((1000 * covered) / total) / 10;
}

/**
 * Per-package and per-folder counts from a json-summary (`{ total, <file>: summary }`):
 * `Map<package, { counts, folders: Map<folder, counts> }>`, sorted by name.
 */
export function summarize(root, summary) {
  const packages = new Map();
  for (const [file, counts] of Object.entries(summary)) {
    if (file === 'total') continue;
    const parts = relative(join(root, 'packages'), file).split(sep);
    if (parts.length < 3 || parts[1] !== 'src') continue;
    const [name] = parts;
    const folder = parts.length === 3 ? 'src' : `src/${parts[2]}`;
    if (!packages.has(name)) packages.set(name, { counts: emptyCounts(), folders: new Map() });
    const entry = packages.get(name);
    if (!entry.folders.has(folder)) entry.folders.set(folder, emptyCounts());
    add(entry.counts, counts);
    add(entry.folders.get(folder), counts);
  }
  for (const entry of packages.values()) entry.folders = new Map([...entry.folders].sort(([a], [b]) => a.localeCompare(b)));
  return new Map([...packages].sort(([a], [b]) => a.localeCompare(b)));
}

function cell(counts) {
  const value = percent(counts);
  const shown = value === undefined ? '–' : `${value.toFixed(1)} %`;
  return `${shown.padStart(7)} ${`${counts.covered}/${counts.total}`.padStart(11)}`;
}

/** The table: one row per package, then one per folder of it, then the total. */
export function formatTable(packages) {
  const rows = [['', 'lines', 'branches'].map((text, i) => (i === 0 ? text.padEnd(34) : text.padStart(19))).join('')];
  const total = emptyCounts();
  for (const [name, { counts, folders }] of packages) {
    add(total, counts);
    rows.push(`${`packages/${name}`.padEnd(34)}${cell(counts.lines)} ${cell(counts.branches)}`);
    for (const [folder, folderCounts] of folders) {
      rows.push(`${`  ${folder}`.padEnd(34)}${cell(folderCounts.lines)} ${cell(folderCounts.branches)}`);
    }
  }
  rows.push(`${'all packages'.padEnd(34)}${cell(total.lines)} ${cell(total.branches)}`);
  return rows.join('\n');
}

/** The packages below {@link PACKAGE_LINE_FLOOR} (lines), as messages naming each. */
export function packagesBelowFloor(packages) {
  const failures = [];
  for (const [name, { counts }] of packages) {
    const value = percent(counts.lines) ?? 0;
    if (value < PACKAGE_LINE_FLOOR) failures.push(`packages/${name}: ${value.toFixed(1)} % of lines, below its floor of ${PACKAGE_LINE_FLOOR} %`);
  }
  return failures;
}

/** The folders below {@link FOLDER_LINE_TARGET} (lines), as `packages/<pkg>/<folder> (n %)`. */
export function foldersBelowTarget(packages) {
  const low = [];
  for (const [name, { folders }] of packages) {
    for (const [folder, counts] of folders) {
      const value = percent(counts.lines);
      if (value !== undefined && value < FOLDER_LINE_TARGET) low.push(`packages/${name}/${folder} (${value.toFixed(1)} %)`);
    }
  }
  return low;
}

/** Prints the table, the folders under target and the floors; returns whether every package met its floor. */
export function printSummary(root, summaryFile) {
  const packages = summarize(root, JSON.parse(readFileSync(summaryFile, 'utf8')));
  if (packages.size === 0) throw new Error(`coverage: ${summaryFile} counts no file under packages/*/src`);
  console.log(formatTable(packages));
  const low = foldersBelowTarget(packages);
  console.log(low.length === 0 ? `\nNo folder under ${FOLDER_LINE_TARGET} % of lines.` : `\nFolders under ${FOLDER_LINE_TARGET} % of lines: ${low.join(', ')}.`);
  const failures = packagesBelowFloor(packages);
  if (failures.length === 0) {
    console.log(`Every package has at least ${PACKAGE_LINE_FLOOR} % of its lines covered.`);
    return true;
  }
  for (const failure of failures) console.error(`coverage: ${failure}`);
  return false;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const root = fileURLToPath(new URL('../../', import.meta.url));
  const file = process.argv[2] ?? join(root, 'coverage', 'coverage-summary.json');
  process.exitCode = printSummary(root, file) ? 0 : 1;
}
