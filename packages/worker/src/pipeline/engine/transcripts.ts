import { readFile, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { AgentStage } from '@repovisor/protocol';
import { AGENT_STAGES } from '@repovisor/protocol';
import { workspaceName } from '../git/task-names.js';

// An agent run's transcript: `<data_root>/transcripts/issue-<id>/<stage>-<attempt>.log`.

const RUN_FILE = /^([a-z]+)-(\d+)\.log$/;

/** Where the transcript of run `attempt` of `stage` for task `id` is written. */
export function transcriptPath(dataRoot: string, id: number, stage: AgentStage, attempt: number): string {
  return join(dataRoot, 'transcripts', workspaceName(id), `${stage}-${attempt}.log`);
}

/** The last lines of a task's latest run, and which run it was. */
export interface TranscriptTail {
  run: { stage: AgentStage; attempt: number } | null;
  lines: string[];
}

/** The last `lines` lines of the transcript task `id`'s agents wrote last; no run yet gives `run: null`. */
export async function lastTranscriptLines(dataRoot: string, id: number, lines: number): Promise<TranscriptTail> {
  const folder = join(dataRoot, 'transcripts', workspaceName(id));
  const names = await readdir(folder).catch(() => [] as string[]);
  let latest: { name: string; stage: AgentStage; attempt: number; at: number } | undefined;
  for (const name of names) {
    const match = RUN_FILE.exec(name);
    const stage = AGENT_STAGES.find((candidate) => candidate === match?.[1]);
    if (match === null || stage === undefined) continue;
    const at = (await stat(join(folder, name)).catch(() => undefined))?.mtimeMs;
    if (at !== undefined && (latest === undefined || at >= latest.at)) latest = { name, stage, attempt: Number(match[2]), at };
  }
  if (latest === undefined) return { run: null, lines: [] };
  const text = await readFile(join(folder, latest.name), 'utf8').catch(() => '');
  const all = text.split('\n');
  if (all.at(-1) === '') all.pop();
  return { run: { stage: latest.stage, attempt: latest.attempt }, lines: all.slice(-lines) };
}
