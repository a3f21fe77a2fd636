/** One row of the claims table. */
export interface ClaimRow {
  /** The row's line in RELIABILITY.md (1-based). */
  line: number;
  claim: string;
  /** What the row covers: `supervisor 405`, `worker 404`, `default http.port`, `limits env`, `exit 2`, `guarantee`, …. */
  key: string;
  /** The doc it cites, relative to docs/ (`API.md`). */
  doc: string;
  /** The cited line (1-based). */
  docLine: number;
  /** The piece of that line the row quotes. */
  says: string;
  tests: { file: string; title: string }[];
}

export const CLAIMS_DOC: string;
export const CLAIMS_HEADING: string;
export const CLAIMS_HEADER: string;
export function splitCells(line: string): string[];
export function parseClaims(text: string): { rows: ClaimRow[]; problems: string[] };
export function locate(docLines: string[], says: string, near: number): number | undefined;
export function withDocLine(line: string, doc: string, docLine: number): string;
