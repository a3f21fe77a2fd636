import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import * as z from 'zod/mini';
import { parseJsonWith, readPidStartTicks, temporaryPathFor, terminateGroup } from '@repovisor/kit';
import { AGENT_STAGES } from '@repovisor/protocol';
import type { AgentStage } from '@repovisor/protocol';
import type { WorkerLogger } from '../../log/worker-logger.js';
import { liveGroupMembers, untilGroupGone } from './group-members.js';

// Why a record at all: a worker killed with SIGKILL cannot end its agents, which
// run in their own process groups; the next worker of the repo finds them here.

const pid = z.int().check(z.minimum(1));
const ticks = z.nullable(z.int().check(z.minimum(0)));

/** One running agent, as `<data_root>/agents/<pid>.json` records it. */
const AgentRecord = z.object({
  pid,
  /** Its start time (/proc/<pid>/stat field 22): a pid with other ticks is another process. */
  startTicks: ticks,
  /** Its process group (it leads it: started detached). */
  pgid: pid,
  taskId: z.string(),
  stage: z.enum(AGENT_STAGES),
  /** The worker that started it, with its start ticks: a live worker's agents are its own business. */
  workerPid: pid,
  workerStartTicks: ticks,
  startedAt: z.string(),
});
type AgentRecord = z.infer<typeof AgentRecord>;

// Where a data root keeps its agent records.
function agentsFolder(dataRoot: string): string {
  return join(dataRoot, 'agents');
}

/**
 * Records agent `agentPid` (just started, leading its own process group) in
 * `<data_root>/agents/<pid>.json`, synchronously, so that no await lies
 * between the spawn and the record. Returns the remover to call once the
 * agent and its group have ended.
 */
export function recordAgent(dataRoot: string, agent: { pid: number; taskId: string; stage: AgentStage }): () => Promise<void> {
  const folder = agentsFolder(dataRoot);
  mkdirSync(folder, { recursive: true, mode: 0o700 });
  const record: AgentRecord = {
    pid: agent.pid,
    startTicks: readPidStartTicks(agent.pid),
    pgid: agent.pid,
    taskId: agent.taskId,
    stage: agent.stage,
    workerPid: process.pid,
    workerStartTicks: readPidStartTicks(process.pid),
    startedAt: new Date().toISOString(),
  };
  const path = join(folder, `${agent.pid}.json`);
  const temporary = temporaryPathFor(path);
  try {
    writeFileSync(temporary, `${JSON.stringify(record)}\n`, { mode: 0o600 });
    renameSync(temporary, path);
  } catch (error) {
    rmSync(temporary, { force: true });
    throw error;
  }
  return () => rm(path, { force: true });
}

/** Whether the process group of `record` still holds its agent (or what the agent left running), never a reused pid's. */
function stillOurs(record: AgentRecord): boolean {
  const leader = readPidStartTicks(record.pid);
  if (leader !== null) return record.startTicks !== null && leader === record.startTicks;
  // Leader gone: Linux reuses no pid while a group of that id lives, so its members are the agent's.
  return liveGroupMembers(record.pgid).length > 0;
}

function workerAlive(record: AgentRecord): boolean {
  return record.workerStartTicks !== null && readPidStartTicks(record.workerPid) === record.workerStartTicks;
}

/** What {@link endLeftoverAgents} found. */
export interface LeftoverAgents {
  /** Pids of the agents whose groups it ended. */
  ended: number[];
  /** Pids of records it removed without a signal: gone, or a pid reused by another process. */
  cleared: number[];
  /** Pids of agents of a worker still alive, left alone with their records. */
  kept: number[];
}

/**
 * Ends every agent a dead worker of this data root left running (SIGTERM,
 * then SIGKILL after `graceMs`, to its whole process group) and removes the
 * records. A pid now naming another process (other start ticks) is never
 * signalled. Call it when a runtime starts, before it starts any agent.
 */
export async function endLeftoverAgents(dataRoot: string, logger: Pick<WorkerLogger, 'info' | 'warn'>, options: { graceMs?: number } = {}): Promise<LeftoverAgents> {
  const folder = agentsFolder(dataRoot);
  const found: LeftoverAgents = { ended: [], cleared: [], kept: [] };
  let names: string[];
  try {
    names = await readdir(folder);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return found;
    throw error;
  }
  await Promise.all(
    names
      .filter((name) => name.endsWith('.json') && !name.startsWith('.'))
      .map(async (name) => {
        const path = join(folder, name);
        const parsed = parseJsonWith(await readFile(path, 'utf8').catch(() => ''), AgentRecord);
        if (!parsed.ok) {
          logger.warn({ path, reason: parsed.reason }, 'agent record unreadable; removed');
          await rm(path, { force: true });
          return;
        }
        const record = parsed.value;
        if (workerAlive(record)) {
          found.kept.push(record.pid);
          return;
        }
        if (stillOurs(record)) {
          const how = await terminateGroup(record.pgid, {
            exited: untilGroupGone(record.pgid),
            graceMs: options.graceMs ?? 5000,
            stillOurs: () => stillOurs(record),
          });
          logger.info({ pid: record.pid, task: record.taskId, stage: record.stage, how }, 'ended an agent a dead worker left running');
          found.ended.push(record.pid);
        } else {
          found.cleared.push(record.pid);
        }
        await rm(path, { force: true });
      }),
  );
  return found;
}
