import { afterEach, describe, expect, it } from '@jest/globals';
import { chmod, mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runCommandAgent } from '../packages/worker/src/pipeline/agents/command-agent.js';
import type { CommandAgentResult } from '../packages/worker/src/pipeline/agents/command-agent.js';
import { liveGroupMembers } from '../packages/worker/src/pipeline/agents/group-members.js';
import { stageOutcome } from '../packages/worker/src/pipeline/agents/markers.js';
import { AgentProcesses, agentOptions, fixtureAgent } from './helpers/agent-runs.js';
import { isAlive } from './helpers/child-processes.js';
import { TempDirs } from './helpers/temp-dir.js';

const temp = new TempDirs();
const agents = new AgentProcesses();
afterEach(async () => {
  agents.killAll();
  await temp.cleanup();
});

async function folders(): Promise<{ dataRoot: string; workspace: string }> {
  const dataRoot = await temp.make();
  const workspace = join(dataRoot, 'workspaces', 'issue-42');
  await mkdir(workspace, { recursive: true });
  return { dataRoot, workspace };
}

function exitOf(result: CommandAgentResult): Extract<CommandAgentResult, { ok: true }> {
  if (!result.ok) throw new Error(`the agent did not start: ${result.message}`);
  return result;
}

describe('a command agent', () => {
  it('gets the REPOVISOR_* environment, the workspace as its folder and the prompt on stdin, less the worker token', async () => {
    const { dataRoot, workspace } = await folders();
    const lines: string[] = [];
    const env = { ...process.env, REPOVISOR_TOKEN: 'worker-secret', REPOVISOR_SLUG: 'acme/alpha' };
    const result = exitOf(await runCommandAgent(agentOptions(dataRoot, workspace, { env, onLine: (line) => lines.push(line) })));
    expect(result).toMatchObject({ exitCode: 0, signal: null, timedOut: false, aborted: false, droppedStdoutLines: 0, transcriptError: null });
    const seen = JSON.parse(lines.find((line) => line.startsWith('env '))!.slice(4)) as Record<string, string>;
    expect(seen).toEqual({
      REPOVISOR_SLUG: 'acme/alpha',
      REPOVISOR_STAGE: 'plan',
      REPOVISOR_TASK_ID: '42',
      REPOVISOR_TASK_TITLE: 'Add a greeting',
      REPOVISOR_ATTEMPT: '2',
      REPOVISOR_BRANCH: 'agent/issue-42',
      REPOVISOR_WORKSPACE: workspace,
      REPOVISOR_BASE_BRANCH: 'main',
    });
    expect(lines).toContain(`cwd ${JSON.stringify(workspace)}`);
    expect(lines).toContain(`stdin ${JSON.stringify('Plan the greeting.\nSecond line of the prompt.')}`);
    expect(stageOutcome('plan', result)).toEqual({ kind: 'planned', plan: '1. change it\n2. test it' });
  });

  it('hands every stdout line on in order and keeps them, with stderr lines marked, in a 0600 transcript', async () => {
    const { dataRoot, workspace } = await folders();
    const lines: string[] = [];
    const options = agentOptions(dataRoot, workspace, { onLine: (line) => lines.push(line), maxStdoutLines: 10 });
    const result = exitOf(await runCommandAgent(options));
    const numbered = lines.filter((line) => line.startsWith('line '));
    expect(numbered).toEqual(Array.from({ length: 50 }, (_, i) => `line ${i + 1}`));
    expect(result.stdoutLines).toEqual(lines.slice(-10));
    expect(result.droppedStdoutLines).toBe(lines.length - 10);
    const transcript = (await readFile(options.transcriptPath, 'utf8')).split('\n');
    expect(transcript.filter((line) => !line.startsWith('[stderr] ') && line !== '')).toEqual(lines);
    expect(transcript).toContain('[stderr] a warning on stderr');
    expect((await stat(options.transcriptPath)).mode & 0o777).toBe(0o600);
    expect(await readdir(join(dataRoot, 'agents'))).toEqual([]);
  });

  it('takes a non-zero exit with a marker at its word, and one without a marker as a failed attempt', async () => {
    const { dataRoot, workspace } = await folders();
    const marked = await runCommandAgent(agentOptions(dataRoot, workspace, { env: { ...process.env, MARKER_AGENT_EXIT: '2' } }));
    expect(exitOf(marked).exitCode).toBe(2);
    expect(stageOutcome('plan', marked)).toMatchObject({ kind: 'planned' });
    const failing = await runCommandAgent(agentOptions(dataRoot, workspace, { command: fixtureAgent('failing-agent.mjs') }));
    expect(exitOf(failing).exitCode).toBe(3);
    expect(stageOutcome('review', failing)).toEqual({ kind: 'failed', reason: 'exit-non-zero', detail: 'the agent exited with code 3, with no review marker in its output' });
    expect(stageOutcome('implement', failing)).toMatchObject({ kind: 'failed', reason: 'exit-non-zero' });
  });

  it('ends the whole group, SIGTERM then SIGKILL, at agent_timeout_ms, as a failed attempt', async () => {
    const { dataRoot, workspace } = await folders();
    const lines: string[] = [];
    const options = agentOptions(dataRoot, workspace, {
      command: fixtureAgent('hanging-agent.mjs'),
      timeoutMs: 8000,
      onLine: (line) => {
        lines.push(line);
        agents.noteLine(line);
      },
    });
    const result = exitOf(await runCommandAgent(options));
    expect(lines).toContain('child up');
    expect(lines).toContain('ignoring SIGTERM');
    expect(result).toMatchObject({ timedOut: true, aborted: false, exitCode: null, signal: 'SIGKILL' });
    const { agent, child } = agents.noted();
    expect(isAlive(agent!)).toBe(false);
    expect(isAlive(child!)).toBe(false);
    expect(liveGroupMembers(agent!)).toEqual([]);
    expect(stageOutcome('implement', result)).toMatchObject({ kind: 'failed', reason: 'timed-out' });
  });

  it('ends the whole group when its signal is aborted, and is recorded in the data root only while it runs', async () => {
    const { dataRoot, workspace } = await folders();
    const stop = new AbortController();
    let record: Record<string, unknown> | undefined;
    const options = agentOptions(dataRoot, workspace, {
      command: fixtureAgent('hanging-agent.mjs'),
      signal: stop.signal,
      onLine: (line) => {
        agents.noteLine(line);
        if (line !== 'child up') return;
        void readFile(join(dataRoot, 'agents', `${agents.noted().agent}.json`), 'utf8').then((text) => {
          record = JSON.parse(text) as Record<string, unknown>;
          stop.abort();
        });
      },
    });
    const result = exitOf(await runCommandAgent(options));
    const { agent, child } = agents.noted();
    expect(record).toMatchObject({ pid: agent, pgid: agent, taskId: '42', stage: 'plan', workerPid: process.pid });
    expect(result).toMatchObject({ aborted: true, timedOut: false, signal: 'SIGKILL' });
    expect(isAlive(agent!)).toBe(false);
    expect(isAlive(child!)).toBe(false);
    expect(await readdir(join(dataRoot, 'agents'))).toEqual([]);
    expect(stageOutcome('implement', result)).toMatchObject({ kind: 'failed', reason: 'aborted' });
  });

  it('ends what an agent left running in its group when it exits', async () => {
    const { dataRoot, workspace } = await folders();
    const options = agentOptions(dataRoot, workspace, { command: fixtureAgent('background-agent.mjs'), onLine: (line) => agents.noteLine(line) });
    const result = exitOf(await runCommandAgent(options));
    expect(result).toMatchObject({ exitCode: 0, timedOut: false, aborted: false });
    const { agent, child } = agents.noted();
    expect(isAlive(child!)).toBe(false);
    expect(liveGroupMembers(agent!)).toEqual([]);
    expect(await readdir(join(dataRoot, 'agents'))).toEqual([]);
  });

  it('does not let an agent run that it cannot record in the data root', async () => {
    const { dataRoot, workspace } = await folders();
    await writeFile(join(dataRoot, 'agents'), 'not a folder');
    const result = await runCommandAgent(agentOptions(dataRoot, workspace, { command: fixtureAgent('hanging-agent.mjs'), onLine: (line) => agents.noteLine(line) }));
    expect(result).toMatchObject({ ok: false, reason: 'not-recorded' });
    expect(!result.ok && result.message).toContain("make the worker's data root writable");
  });

  it('does not start when its signal is already aborted', async () => {
    const { dataRoot, workspace } = await folders();
    const result = exitOf(await runCommandAgent(agentOptions(dataRoot, workspace, { signal: AbortSignal.abort() })));
    expect(result).toMatchObject({ aborted: true, exitCode: null, stdoutLines: [] });
  });

  it('says which command could not start, why and how to fix it', async () => {
    const { dataRoot, workspace } = await folders();
    const missing = await runCommandAgent(agentOptions(dataRoot, workspace, { command: ['repovisor-no-such-agent', '--flag'] }));
    expect(missing).toMatchObject({ ok: false, reason: 'command-not-found' });
    expect(!missing.ok && missing.message).toMatch(/"repovisor-no-such-agent" was not found \(ENOENT\).*install it, or set pipeline\.agent\.command/);
    const script = join(workspace, 'agent.sh');
    await writeFile(script, '#!/bin/sh\necho hi\n');
    await chmod(script, 0o644);
    const notExecutable = await runCommandAgent(agentOptions(dataRoot, workspace, { command: [script] }));
    expect(notExecutable).toMatchObject({ ok: false, reason: 'command-not-executable' });
    expect(!notExecutable.ok && notExecutable.message).toContain(`chmod +x ${script}`);
    const noWorkspace = await runCommandAgent(agentOptions(dataRoot, join(workspace, 'gone')));
    expect(noWorkspace).toMatchObject({ ok: false, reason: 'workspace-missing' });
    expect(stageOutcome('plan', missing)).toMatchObject({ kind: 'failed', reason: 'not-started' });
  });
});
