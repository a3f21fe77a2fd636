import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from './paths.js';

/** One row of a key table of docs/CONFIGURATION.md. */
export interface DocumentedKey {
  /** As the table writes it: `http.port`, `env`. */
  key: string;
  /** The default cell, as written. */
  defaultCell: string;
  /** The allowed-values cell, as written. */
  allowedCell: string;
}

/** The rows of the key table under the `## <heading>` of docs/CONFIGURATION.md. */
function documentedKeys(heading: string): DocumentedKey[] {
  const lines = readFileSync(join(REPO_ROOT, 'docs/CONFIGURATION.md'), 'utf8').split('\n');
  const start = lines.indexOf(`## ${heading}`);
  if (start < 0) throw new Error(`docs/CONFIGURATION.md has no "## ${heading}" section`);
  const end = lines.findIndex((line, index) => index > start && line.startsWith('## '));
  const keys: DocumentedKey[] = [];
  for (const line of lines.slice(start, end < 0 ? undefined : end)) {
    const match = /^\| `([a-z_.]+)` \| (.*?) \| (.*?) \|/.exec(line);
    if (match?.[1] !== undefined && match[2] !== undefined && match[3] !== undefined) keys.push({ key: match[1], defaultCell: match[2], allowedCell: match[3] });
  }
  return keys;
}

/** The supervisor keys of docs/CONFIGURATION.md ("## `supervisor:` keys"). */
export const supervisorKeys = (): DocumentedKey[] => documentedKeys('`supervisor:` keys');

/** The repo entry keys of docs/CONFIGURATION.md ("## `repos:` entries"). */
export const repoKeys = (): DocumentedKey[] => documentedKeys('`repos:` entries');

/** `http.request_timeout_ms` → `['http', 'requestTimeoutMs']`: where loadConfig puts a supervisor key. */
export function settingsPath(key: string): string[] {
  return key.split('.').map((part) => part.replace(/_([a-z])/g, (_match, letter: string) => letter.toUpperCase()));
}

/** The numeric range of an allowed-values cell (`10–86400000`, `1024 up to 2^53−1`), if it gives one. */
export function numericRange(cell: string): { min: number; max: number } | undefined {
  const match = /^(\d+)(?:–| up to )(2\^53−1|\d+)\b/.exec(cell);
  if (match?.[1] === undefined || match[2] === undefined) return undefined;
  return { min: Number(match[1]), max: match[2] === '2^53−1' ? Number.MAX_SAFE_INTEGER : Number(match[2]) };
}

/** The pipeline keys of docs/CONFIGURATION.md ("## `pipeline:` keys"). */
export const pipelineKeys = (): DocumentedKey[] => documentedKeys('`pipeline:` keys');
