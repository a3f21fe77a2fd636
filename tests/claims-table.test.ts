import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { STATUS_CODES } from 'node:http';
import { CLAIMS_DOC, parseClaims } from '../scripts/claims/claims-table.mjs';
import type { ClaimRow } from '../scripts/claims/claims-table.mjs';
import { repoKeys, supervisorKeys } from './helpers/config-doc.js';
import { REPO_ROOT } from './helpers/paths.js';

// The claims table of docs/RELIABILITY.md: every status code of API.md, every
// repos.yaml key of CONFIGURATION.md, every guarantee bullet of RELIABILITY.md,
// every HydraFlow action of HYDRAFLOW.md and every exit code of CLI.md has a
// row; every row quotes its doc line and names tests that exist.
const FIX_LINES = 'run `npm run claims:lines` to update the cited lines from the quotes';
const docLines = (doc: string): string[] => readFileSync(join(REPO_ROOT, 'docs', doc), 'utf8').split('\n');
const { rows, problems } = parseClaims(readFileSync(join(REPO_ROOT, 'docs', CLAIMS_DOC), 'utf8'));
const keys = new Set(rows.map((row) => row.key));
const describeRow = (row: ClaimRow) => `${CLAIMS_DOC}:${row.line} (${row.key}: ${row.claim})`;

/** Test titles as written in a test file: the string given to it(), test(), describe() or an .each(…)(). */
function titlesIn(source: string): Set<string> {
  const titles = new Set<string>();
  for (const match of source.matchAll(/(?:\b(?:it|test|describe)|\))\(\s*(['"`])((?:\\.|(?!\1)[^\\])*)\1/g)) {
    titles.add((match[2] ?? '').replace(/\\(.)/g, '$1'));
  }
  return titles;
}

/** The 3-digit HTTP status codes written in `lines`, with the lines (1-based, from `first`) they are on. */
function statusCodes(lines: string[], first: number): Map<string, number[]> {
  const codes = new Map<string, number[]>();
  lines.forEach((line, index) => {
    for (const match of line.matchAll(/(?<![\w./-])([1-5]\d\d)(?![\w.])/g)) {
      const code = match[1] ?? '';
      if (STATUS_CODES[code] !== undefined) codes.set(code, [...(codes.get(code) ?? []), first + index]);
    }
  });
  return codes;
}

/** API.md's codes: the supervisor's (before "## The worker's process-local API") and the worker's (up to the next section). */
function apiStatusCodes(): { supervisor: Map<string, number[]>; worker: Map<string, number[]>; workerLines: [number, number] } {
  const lines = docLines('API.md');
  const worker = lines.findIndex((line) => line.startsWith("## The worker's process-local API"));
  const after = lines.findIndex((line, index) => index > worker && line.startsWith('## '));
  if (worker < 0) throw new Error('docs/API.md has no "## The worker\'s process-local API" section');
  const end = after < 0 ? lines.length : after;
  return { supervisor: statusCodes(lines.slice(0, worker), 1), worker: statusCodes(lines.slice(worker, end), worker + 1), workerLines: [worker + 1, end] };
}

/** The bullets of RELIABILITY.md's "## Guarantees": each bullet's first and last line (1-based). */
function guaranteeBullets(): { first: number; last: number; text: string }[] {
  const lines = docLines('RELIABILITY.md');
  const start = lines.indexOf('## Guarantees');
  const end = lines.findIndex((line, index) => index > start && line.startsWith('## '));
  const bullets: { first: number; last: number; text: string }[] = [];
  for (let index = start + 1; index < end; index += 1) {
    const line = lines[index] ?? '';
    if (line.startsWith('- ')) bullets.push({ first: index + 1, last: index + 1, text: line.slice(2, 80) });
    else if (bullets.length > 0 && line.startsWith('  ') && bullets[bullets.length - 1]?.last === index) (bullets[bullets.length - 1] as { last: number }).last = index + 1;
  }
  return bullets;
}

describe('the claims table of RELIABILITY.md', () => {
  it('has well-formed rows', () => {
    expect(problems).toEqual([]);
    expect(rows.length).toBeGreaterThan(0);
  });

  it('quotes, in every row, the doc line it cites', () => {
    const wrong = rows.filter((row) => !(docLines(row.doc)[row.docLine - 1] ?? '').includes(row.says)).map((row) => `${describeRow(row)}: docs/${row.doc}:${row.docLine} does not say "${row.says}"`);
    if (wrong.length > 0) throw new Error(`${wrong.length} rows cite a line that does not say what they quote; ${FIX_LINES}:\n${wrong.join('\n')}`);
  });

  it('names, in every row, test files and exact test titles that exist', () => {
    const missing: string[] = [];
    for (const row of rows) {
      for (const test of row.tests) {
        let source: string;
        try {
          source = readFileSync(join(REPO_ROOT, test.file), 'utf8');
        } catch {
          missing.push(`${describeRow(row)}: no test file ${test.file}`);
          continue;
        }
        if (!titlesIn(source).has(test.title)) missing.push(`${describeRow(row)}: ${test.file} has no test titled "${test.title}"`);
      }
    }
    expect(missing).toEqual([]);
  });

  it('has a row for every status code of API.md, the supervisor\'s and the worker\'s, citing a line that gives it', () => {
    const { supervisor, worker, workerLines } = apiStatusCodes();
    const wanted = [...[...supervisor.keys()].map((code) => `supervisor ${code}`), ...[...worker.keys()].map((code) => `worker ${code}`)];
    expect(wanted.filter((key) => !keys.has(key))).toEqual([]);
    const misplaced = rows
      .filter((row) => /^(supervisor|worker) \d{3}$/.test(row.key))
      .filter((row) => {
        const [side, code] = row.key.split(' ');
        const inWorkerPart = row.docLine >= workerLines[0] && row.docLine <= workerLines[1];
        return row.doc !== 'API.md' || inWorkerPart !== (side === 'worker') || !(docLines('API.md')[row.docLine - 1] ?? '').includes(code ?? '');
      })
      .map((row) => `${describeRow(row)} cites API.md:${row.docLine}, which is not in the ${row.key.split(' ')[0]}'s part or does not give the code`);
    expect(misplaced).toEqual([]);
  });

  it('has a row for the default and one for the limits of every repos.yaml key of CONFIGURATION.md', () => {
    const configKeys = [...supervisorKeys(), ...repoKeys()].map((entry) => entry.key);
    expect(configKeys.length).toBeGreaterThan(20);
    const wanted = configKeys.flatMap((key) => [`default ${key}`, `limits ${key}`]);
    expect(wanted.filter((key) => !keys.has(key))).toEqual([]);
    const misplaced = rows
      .filter((row) => /^(default|limits) /.test(row.key))
      .filter((row) => row.doc !== 'CONFIGURATION.md' || !(docLines('CONFIGURATION.md')[row.docLine - 1] ?? '').includes(`\`${row.key.split(' ')[1] ?? ''}\``))
      .map((row) => `${describeRow(row)} cites a line of CONFIGURATION.md that does not name the key`);
    expect(misplaced).toEqual([]);
  });

  it('has a row citing every bullet of RELIABILITY.md\'s "## Guarantees"', () => {
    const cited = rows.filter((row) => row.doc === 'RELIABILITY.md');
    const bullets = guaranteeBullets();
    expect(bullets.length).toBeGreaterThan(10);
    const uncovered = bullets.filter((bullet) => !cited.some((row) => row.docLine >= bullet.first && row.docLine <= bullet.last)).map((bullet) => `RELIABILITY.md:${bullet.first} "${bullet.text}…"`);
    if (uncovered.length > 0) throw new Error(`${uncovered.length} guarantee bullets have no row citing one of their lines (add a row with key "guarantee"; ${FIX_LINES} after doc edits):\n${uncovered.join('\n')}`);
  });

  it('has a row citing every line of the table of HydraFlow actions in HYDRAFLOW.md', () => {
    const lines = docLines('HYDRAFLOW.md');
    const start = lines.indexOf('## Actions and answers');
    const end = lines.findIndex((line, index) => index > start && line.startsWith('## '));
    const actions = lines
      .map((line, index) => ({ line, number: index + 1 }))
      .slice(start, end)
      .filter(({ line }) => /^\| (`\{"action"|any other action)/.test(line));
    expect(actions.length).toBeGreaterThan(5);
    const cited = new Set(rows.filter((row) => row.doc === 'HYDRAFLOW.md' && row.key === 'hydraflow').map((row) => row.docLine));
    expect(actions.filter(({ number }) => !cited.has(number)).map(({ line, number }) => `HYDRAFLOW.md:${number} ${line.slice(0, 60)}`)).toEqual([]);
  });

  it('has a row for every exit code of CLI.md', () => {
    const lines = docLines('CLI.md');
    const start = lines.indexOf('## Exit codes');
    const end = lines.findIndex((line, index) => index > start && line.startsWith('## '));
    const codes = lines.slice(start, end).flatMap((line) => /^\| `(\d+)` \|/.exec(line)?.[1] ?? []);
    expect(codes.length).toBeGreaterThan(1);
    expect(codes.map((code) => `exit ${code}`).filter((key) => !keys.has(key))).toEqual([]);
  });
});
