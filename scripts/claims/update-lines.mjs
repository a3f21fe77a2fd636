#!/usr/bin/env node
// `npm run claims:lines`: rewrites the cited line of every row of the claims
// table in docs/RELIABILITY.md from the text the row quotes, taking the line
// nearest to the one cited before. Run it after editing any doc the table
// cites; tests/claims-table.test.ts fails until the lines agree.
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { CLAIMS_DOC, locate, parseClaims, withDocLine } from './claims-table.mjs';

const docs = fileURLToPath(new URL('../../docs/', import.meta.url));
const tablePath = join(docs, CLAIMS_DOC);
const text = readFileSync(tablePath, 'utf8');
const { rows, problems } = parseClaims(text);
const lines = text.split('\n');
const docLines = new Map();
let moved = 0;
for (const row of rows) {
  if (!docLines.has(row.doc)) {
    try {
      docLines.set(row.doc, readFileSync(join(docs, row.doc), 'utf8').split('\n'));
    } catch (error) {
      problems.push(`${CLAIMS_DOC}:${row.line}: cannot read docs/${row.doc}: ${error.message}`);
      docLines.set(row.doc, []);
    }
  }
  const found = locate(docLines.get(row.doc), row.says, row.docLine);
  if (found === undefined) {
    problems.push(`${CLAIMS_DOC}:${row.line}: no line of docs/${row.doc} says "${row.says}"; fix the quote or the doc`);
    continue;
  }
  if (found !== row.docLine) {
    lines[row.line - 1] = withDocLine(lines[row.line - 1], row.doc, found);
    moved += 1;
  }
}
// The table's own rows may cite RELIABILITY.md: their lines do not move, as only the doc cells change.
if (moved > 0) writeFileSync(tablePath, lines.join('\n'));
console.log(`claims:lines: ${rows.length} rows, ${moved} line numbers updated in docs/${CLAIMS_DOC}`);
if (problems.length > 0) {
  console.error(problems.map((problem) => `  - ${problem}`).join('\n'));
  process.exit(1);
}
