import { afterEach, describe, expect, it } from '@jest/globals';
import { readFile, readdir, symlink } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { ChildProcesses } from './helpers/child-processes.js';
import { git } from './helpers/git-repo.js';
import { createOriginRig } from './helpers/origin-rig.js';
import { REPO_ROOT } from './helpers/paths.js';
import { endRecordedAgents, startPipelineWorker, testPipeline } from './helpers/pipeline-worker.js';
import type { PipelineWorker } from './helpers/pipeline-worker.js';
import { TempDirs } from './helpers/temp-dir.js';
import { waitFor } from './helpers/wait-for.js';

// The agent kinds end to end: a real worker runs `claude` and `codex` found on its
// PATH, here the fixtures of tests/fixtures/bin, which replay recorded event streams.

interface ApiTask {
  stage: string;
  status: string;
  attempts: Record<string, number>;
  history: { stage: string; outcome: string }[];
}
interface ApiEvent {
  type: string;
  data: { stage?: string; line?: string };
}

const FIXTURE_BIN = join(REPO_ROOT, 'tests', 'fixtures', 'bin');
const WITH_FIXTURES = `${FIXTURE_BIN}${delimiter}${process.env.PATH ?? ''}`;

const temp = new TempDirs();
const children = new ChildProcesses();
const agentLogs: string[] = [];
afterEach(async () => {
  await children.killAll();
  for (const log of agentLogs.splice(0)) await endRecordedAgents(log);
  await temp.cleanup();
});

async function started(kind: 'claude' | 'codex', env: Record<string, string>): Promise<{ worker: PipelineWorker; rig: Awaited<ReturnType<typeof createOriginRig>> }> {
  const rig = await createOriginRig(temp);
  const worker = await startPipelineWorker(children, rig, testPipeline({ agent: { kind } }), { env });
  agentLogs.push(worker.agentLog);
  return { worker, rig };
}

async function lastError(worker: PipelineWorker, what: string, has: (error: string) => boolean): Promise<string> {
  return waitFor(`last_error to ${what}`, async () => {
    const error = (await worker.api<{ last_error: string | null }>('GET', '/api/runtimes/acme/alpha')).body.last_error;
    return error !== null && has(error) ? error : undefined;
  }, 90_000);
}

describe.each(['claude', 'codex'] as const)('the %s agent kind', (kind) => {
  it('takes a task from triage to done, with readable transcript lines and the command line of each stage', async () => {
    const { worker, rig } = await started(kind, { PATH: WITH_FIXTURES });
    expect((await worker.api('POST', '/api/tasks', { title: 'Add the task file', body: 'Add one file.' })).status).toBe(201);
    const done = await waitFor('task 1 to be done', async () => {
      const { body } = await worker.api<ApiTask>('GET', '/api/tasks/1');
      return body.stage === 'done' ? body : undefined;
    }, 120_000);
    expect(done.history.map((entry) => `${entry.stage}:${entry.outcome}`)).toEqual(['triage:ready', 'plan:planned', 'implement:committed', 'review:approved', 'review:merged']);
    expect(await git(rig.origin, 'show', `main:${kind}-task-1.txt`)).toBe(`implement 1 by ${kind}`);

    const { body } = await worker.api<{ events: ApiEvent[] }>('GET', '/api/events?since=0&limit=5000');
    const lines = body.events.filter((event) => event.type === 'transcript_line').map((event) => event.data.line ?? '');
    expect(lines).toContain('{"ready": true, "reasons": ["the task says which file to add"]}');
    expect(lines).toContain(kind === 'claude' ? '· Bash: git log --oneline -3' : "· $ bash -lc 'git log --oneline -3' (exit 0)");
    expect(lines.filter((line) => line.startsWith('{"type"'))).toEqual([]);
    // The codex fixture leaves its change uncommitted, as its sandbox would: the worker commits it.
    expect(lines.includes('· committed the changes the agent left uncommitted')).toBe(kind === 'codex');
    const transcript = (await worker.api<{ lines: string[] }>('GET', '/api/tasks/1/transcript?lines=5')).body.lines;
    expect(transcript).toEqual(expect.arrayContaining(['VERDICT: APPROVE', "SUMMARY: adds the task's file, nothing else", kind === 'claude' ? '· done, 2 turns' : '· turn done (2400 tokens in, 180 out)']));
    expect(transcript.filter((line) => line.startsWith('{"type"'))).toEqual([]);
    const raw = await readFile(join(rig.dataRoot, 'transcripts', 'issue-1', 'review-1.events.jsonl'), 'utf8');
    expect(raw.split('\n')[0]).toMatch(/^\{"type":"(system|thread\.started)"/);

    const runs = (await readFile(join(worker.agentLog, `${kind}-runs.jsonl`), 'utf8')).trim().split('\n').map((line) => JSON.parse(line) as { stage: string; args: string[]; promptChars: number });
    expect(runs.map((run) => run.stage)).toEqual(['triage', 'plan', 'implement', 'review']);
    for (const run of runs) expect(run.promptChars).toBeGreaterThan(0);
    const argsOf = (stage: string): string[] => runs.find((run) => run.stage === stage)?.args ?? [];
    if (kind === 'claude') {
      expect(argsOf('triage')).toEqual(['-p', '--output-format', 'stream-json', '--verbose', '--model', 'haiku', '--permission-mode', 'bypassPermissions', '--disallowedTools', 'Write,Edit,NotebookEdit']);
      expect(argsOf('implement')).toEqual(['-p', '--output-format', 'stream-json', '--verbose', '--model', 'opus', '--permission-mode', 'bypassPermissions']);
    } else {
      expect(argsOf('review')).toEqual(['exec', '--json', '--sandbox', 'read-only', '--skip-git-repo-check', '-']);
      expect(argsOf('implement')).toEqual(['exec', '--json', '--sandbox', 'workspace-write', '--skip-git-repo-check', '-']);
    }
  });

  it('shows a failed sign-in in last_error with how to sign in, and burns no attempt', async () => {
    const { worker } = await started(kind, { PATH: WITH_FIXTURES, FIXTURE_AGENT_STREAM: 'auth' });
    await worker.api('POST', '/api/tasks', { title: 'Add the task file', body: 'Add one file.' });
    const error = await lastError(worker, 'say the sign-in failed', (each) => each.includes('could not sign in'));
    expect(error).toMatch(kind === 'claude' ? /^pipeline paused until .*: claude could not sign in \("Invalid API key · Please run \/login"\): .*\/login/ : /^pipeline paused until .*: codex could not sign in \(".*401 Unauthorized.*"\): .*codex login/);
    const task = (await worker.api<ApiTask>('GET', '/api/tasks/1')).body;
    expect(task).toMatchObject({ stage: 'triage', status: 'queued', attempts: { plan: 0, implement: 0, review: 0 } });
    expect(task.history.map((entry) => entry.outcome)).toEqual(['interrupted']);
  });

  it('pauses the pipeline on exhausted credits until the reset time, and burns no attempt', async () => {
    const { worker } = await started(kind, { PATH: WITH_FIXTURES, FIXTURE_AGENT_STREAM: 'credits' });
    await worker.api('POST', '/api/tasks', { title: 'Add the task file', body: 'Add one file.' });
    const error = await lastError(worker, 'say the pipeline is paused', (each) => each.startsWith('pipeline paused until'));
    expect(error).toContain(`${kind} is out of credits or hit its usage limit`);
    // The recorded streams name their reset as a clock time: Claude Code's 3pm UTC, Codex's 3:05 PM on the worker's clock.
    const until = new Date(/^pipeline paused until (\S+): /.exec(error)?.[1] ?? '');
    expect(until.getTime()).toBeGreaterThan(Date.now());
    if (kind === 'claude') expect(until.toISOString()).toMatch(/T15:00:00\.000Z$/);
    else expect([until.getHours(), until.getMinutes()]).toEqual([15, 5]);
    const task = (await worker.api<ApiTask>('GET', '/api/tasks/1')).body;
    expect(task).toMatchObject({ stage: 'triage', status: 'queued', attempts: { plan: 0, implement: 0, review: 0 } });
    // Paused: no second run.
    expect((await readFile(join(worker.agentLog, `${kind}-runs.jsonl`), 'utf8')).trim().split('\n')).toHaveLength(1);
  });

  it('names a missing executable in last_error at start, with how to install it, and runs nothing', async () => {
    // A PATH with git and nothing else: no claude, no codex.
    const bin = await temp.make();
    await symlink(execFileSync('which', ['git'], { encoding: 'utf8' }).trim(), join(bin, 'git'));
    const { worker } = await started(kind, { PATH: bin });
    const error = await lastError(worker, `name ${kind}`, (each) => each.includes(kind));
    expect(error).toContain(`the agent of triage, plan, implement, review, hitl: ${kind} is not on the worker's PATH (${bin})`);
    expect(error).toContain(kind === 'claude' ? 'npm install -g @anthropic-ai/claude-code' : 'npm install -g @openai/codex');
    await worker.api('POST', '/api/tasks', { title: 'Waits for its agent', body: 'go' });
    expect((await worker.api<ApiTask>('GET', '/api/tasks/1')).body).toMatchObject({ stage: 'triage', status: 'queued', history: [] });
    expect(await readdir(worker.agentLog)).toEqual([]);
  });
});
