// The table printed to stdout at the end of a run: every figure table, then
// the targets with their ratios and PASS/MISS.
import { otherTable, memoryTable, spawnTable, spawnWithoutExtraCaTable, workerStartTable } from './figures.mjs';
import { pipelineTable } from './pipeline-figures.mjs';
import { checkTargets, verdict } from './targets.mjs';

function render({ title, header, rows }) {
  const widths = header.map((cell, column) => Math.max(cell.length, ...rows.map((row) => String(row[column] ?? '').length)));
  const line = (cells) => cells.map((cell, column) => String(cell ?? '').padEnd(widths[column])).join('  ').trimEnd();
  return [title, line(header), widths.map((width) => '-'.repeat(width)).join('  '), ...rows.map(line)].join('\n');
}

/** The targets as a table. */
export function targetsTable(r) {
  return {
    title: 'Targets (issues 6 and 14), as ratios measured in this run',
    header: ['target', 'measured', 'ratio', 'limit', 'verdict'],
    rows: checkTargets(r).map((row) => [row.target, row.measured, Number.isFinite(row.ratio) ? `${row.ratio.toFixed(2)}×` : 'n/a', `${row.limit}×`, verdict(row)]),
  };
}

/** The whole printed table. */
export function printTable(r) {
  const tables = [spawnTable(r), spawnWithoutExtraCaTable(r), memoryTable(r), otherTable(r), workerStartTable(r), pipelineTable(r), targetsTable(r)].filter((table) => table !== undefined);
  return `\n${tables.map(render).join('\n\n')}\n`;
}
