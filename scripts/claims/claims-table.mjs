// The claims table of docs/RELIABILITY.md ("## Claims and the tests that hold
// them"): parsing its rows and finding the doc line each row quotes. Shared by
// tests/claims-table.test.ts and scripts/claims/update-lines.mjs.

/** The doc that holds the table, relative to docs/. */
export const CLAIMS_DOC = 'RELIABILITY.md';

/** The heading of the table's section. */
export const CLAIMS_HEADING = '## Claims and the tests that hold them';

/** The header row of the table. */
export const CLAIMS_HEADER = '| claim | key | doc | says | test |';

/** Splits a Markdown table row into its cells, honouring `\|` (a pipe inside a cell). */
export function splitCells(line) {
  const cells = [];
  let cell = '';
  const body = line.trim().replace(/^\|/, '').replace(/\|$/, '');
  for (let index = 0; index < body.length; index += 1) {
    const char = body[index];
    if (char === '\\' && body[index + 1] === '|') {
      cell += '|';
      index += 1;
    } else if (char === '|') {
      cells.push(cell.trim());
      cell = '';
    } else {
      cell += char;
    }
  }
  cells.push(cell.trim());
  return cells;
}

/**
 * The rows of the claims table in `text` (the content of RELIABILITY.md), each
 * with the line it is on, and the problems of rows that do not parse.
 */
export function parseClaims(text) {
  const lines = text.split('\n');
  const start = lines.indexOf(CLAIMS_HEADING);
  const rows = [];
  const problems = [];
  if (start < 0) return { rows, problems: [`${CLAIMS_DOC} has no "${CLAIMS_HEADING}" section`] };
  const end = lines.findIndex((line, index) => index > start && line.startsWith('## '));
  let inTable = false;
  for (let index = start + 1; index < (end < 0 ? lines.length : end); index += 1) {
    const line = lines[index];
    if (line === CLAIMS_HEADER) {
      inTable = true;
      continue;
    }
    if (!inTable || !line.startsWith('|') || /^\|[-| ]+\|$/.test(line)) continue;
    const where = `${CLAIMS_DOC}:${index + 1}`;
    const cells = splitCells(line);
    if (cells.length !== 5) {
      problems.push(`${where}: a row needs 5 cells (claim, key, doc, says, test), it has ${cells.length}`);
      continue;
    }
    const [claim, key, doc, says, test] = cells;
    const cited = /^`([A-Za-z-]+\.md):(\d+)`$/.exec(doc);
    const quoted = /^"(.+)"$/.exec(says);
    const tests = [...test.matchAll(/`([^`]+\.test\.ts)` "((?:[^"\\]|\\.)+)"/g)].map((match) => ({ file: match[1], title: match[2].replace(/\\(.)/g, '$1') }));
    if (claim === '' || key === '') problems.push(`${where}: the claim and the key must not be empty`);
    if (cited === null) problems.push(`${where}: the doc cell must be \`FILE.md:LINE\`, got ${doc}`);
    if (quoted === null) problems.push(`${where}: the says cell must be a "quoted" piece of the doc line, got ${says}`);
    if (tests.length === 0) problems.push(`${where}: the test cell must name at least one \`tests/….test.ts\` "exact title", got ${test}`);
    if (cited === null || quoted === null || tests.length === 0) continue;
    rows.push({ line: index + 1, claim, key, doc: cited[1], docLine: Number(cited[2]), says: quoted[1], tests });
  }
  if (!inTable) problems.push(`${CLAIMS_DOC}: the "${CLAIMS_HEADING}" section has no table with the header ${CLAIMS_HEADER}`);
  return { rows, problems };
}

/**
 * The line (1-based) of `docLines` that contains `says`, nearest to `near`;
 * undefined when no line does.
 */
export function locate(docLines, says, near) {
  let best;
  docLines.forEach((line, index) => {
    if (!line.includes(says)) return;
    if (best === undefined || Math.abs(index + 1 - near) < Math.abs(best - near)) best = index + 1;
  });
  return best;
}

/** `line` (a table row) with its doc cell citing `docLine` instead. */
export function withDocLine(line, doc, docLine) {
  return line.replace(new RegExp(`\`${doc.replace('.', '\\.')}:\\d+\``), `\`${doc}:${docLine}\``);
}
