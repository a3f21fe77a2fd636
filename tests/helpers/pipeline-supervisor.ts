import { join } from 'node:path';
import { reposYaml } from './claims-config.js';
import { createGitRepo } from './git-repo.js';
import { createOriginRig } from './origin-rig.js';
import type { OriginRig } from './origin-rig.js';
import { REPO_ROOT } from './paths.js';
import type { RunningTestSupervisor, SupervisorRig } from './supervisor-rig.js';
import type { TempDirs } from './temp-dir.js';
import { waitFor } from './wait-for.js';

/** A task as the worker's pipeline routes answer it (the fields tests read). */
export interface ApiTask {
  id: number;
  title: string;
  body: string;
  stage: string;
  status: string;
  attempts: { plan: number; implement: number; review: number };
  history: { stage: string; outcome: string }[];
}

/** A supervisor with three repos: `acme/alpha` runs the pipeline, `solo` does not, `acme/idle` runs it but is not started. */
export interface PipelineSupervisor extends RunningTestSupervisor {
  /** The origin and the operator's clone of `acme/alpha`. */
  origin: OriginRig;
}

// marker-agent prints each stage's marker and commits nothing, so with one
// implement attempt a task goes triage → plan → implement → hitl by itself.
const AGENT = { command: [process.execPath, join(REPO_ROOT, 'tests/fixtures/agents/marker-agent.mjs')] };

/** Starts a {@link PipelineSupervisor} under a new folder of `temp` and waits until `acme/alpha` and `solo` are running. */
export async function startPipelineSupervisor(rig: SupervisorRig, temp: TempDirs): Promise<PipelineSupervisor> {
  const origin = await createOriginRig(temp);
  const root = await temp.make();
  const home = join(root, 'home');
  const solo = await createGitRepo(join(root, 'solo'));
  const idle = await createGitRepo(join(root, 'idle'));
  const section = { pipeline: { agent: AGENT, max_issue_attempts: 1, poll_interval_ms: 200 } };
  const file = await rig.writeConfig(
    root,
    reposYaml(home, section, [
      { path: origin.repo, slug: 'acme/alpha', pipeline: { enabled: true } },
      { path: solo, slug: 'solo' },
      { path: idle, slug: 'acme/idle', autostart: false, pipeline: { enabled: true } },
    ]),
  );
  const supervisor = await rig.start(file, home);
  for (const slug of ['acme/alpha', 'solo']) await rig.waitForRepo(supervisor, slug, 'running', (repo) => repo.status === 'running');
  return { ...supervisor, origin };
}

/** Adds a task to `acme/alpha` through the proxy and resolves with it once its status is `hitl`. */
export async function taskInHitl(rig: SupervisorRig, supervisor: RunningTestSupervisor, title: string): Promise<ApiTask> {
  const created = await rig.api<ApiTask>(supervisor, 'POST', '/api/repos/acme/alpha/tasks', { title, body: `Do ${title}.` });
  if (created.status !== 201) throw new Error(`POST /tasks answered ${created.status}: ${JSON.stringify(created.body)}`);
  return waitForTask(rig, supervisor, created.body.id, 'in hitl', (task) => task.status === 'hitl');
}

/** Resolves with task `id` of `acme/alpha` once `check` holds for it. */
export function waitForTask(rig: SupervisorRig, supervisor: RunningTestSupervisor, id: number, what: string, check: (task: ApiTask) => boolean): Promise<ApiTask> {
  return waitFor(
    `task ${id} ${what}`,
    async () => {
      const { status, body } = await rig.api<ApiTask>(supervisor, 'GET', `/api/repos/acme/alpha/tasks/${id}`);
      return status === 200 && check(body) ? body : undefined;
    },
    120_000,
  );
}
