import { mkdir, readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { PIPELINE_DEFAULTS } from '@repovisor/protocol';
import type { PipelineSettings } from '@repovisor/protocol';
import type { ChildProcesses, TestChild } from './child-processes.js';
import type { OriginRig } from './origin-rig.js';
import { REPO_ROOT, WORKER_MAIN } from './paths.js';
import { waitFor } from './wait-for.js';

/** The scripted agent of the pipeline tests (tests/fixtures/agents/pipeline-agent.mjs). */
const PIPELINE_AGENT = join(REPO_ROOT, 'tests', 'fixtures', 'agents', 'pipeline-agent.mjs');

/** Complete pipeline settings for the tests: the scripted agent, a 100 ms poll, everything else as given. */
export function testPipeline(overrides: Partial<PipelineSettings> = {}): PipelineSettings {
  return {
    enabled: true,
    source: 'local',
    remote: 'origin',
    base_branch: null,
    poll_interval_ms: 100,
    agent_timeout_ms: 120_000,
    max_issue_attempts: 3,
    max_review_fix_attempts: 2,
    max_plan_attempts: 3,
    max_workers: 1,
    github_repo: null,
    api_url: PIPELINE_DEFAULTS.api_url,
    labels: { ...PIPELINE_DEFAULTS.labels },
    hitl_correction_prefix: PIPELINE_DEFAULTS.hitl_correction_prefix,
    agent: { command: [process.execPath, PIPELINE_AGENT] },
    stages: {},
    ...overrides,
  };
}

/**
 * Ends, by pid, every agent the scripted agent recorded under `agentLog`
 * (`*.pids`) that still runs: agents leave the worker's environment behind,
 * so a test must end its own even when it failed.
 */
export async function endRecordedAgents(agentLog: string): Promise<void> {
  const names = await readdir(agentLog).catch(() => [] as string[]);
  for (const name of names.filter((each) => each.endsWith('.pids'))) {
    const pids = (await readFile(join(agentLog, name), 'utf8')).split('\n').filter((line) => line !== '').map(Number);
    for (const pid of pids) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }
  }
}

/** A worker running the pipeline on an {@link OriginRig}'s repository, with its API. */
export interface PipelineWorker {
  worker: TestChild;
  /** `http://127.0.0.1:<port>`. */
  base: string;
  /** Where the scripted agent writes its prompts and pids. */
  agentLog: string;
  /** Calls the worker's API; resolves with the status and the JSON body. */
  api<T = Record<string, unknown>>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }>;
}

/** Another build of the worker to run (`main`), node flags before it, extra environment. */
export interface PipelineWorkerOptions {
  main?: string;
  nodeArgs?: string[];
  env?: Record<string, string>;
}

/** Starts `repo-worker` by hand on `rig`'s repository with `pipeline` (null: none), and resolves once it listens; `children` ends it. */
export async function startPipelineWorker(children: ChildProcesses, rig: OriginRig, pipeline: PipelineSettings | null, options: PipelineWorkerOptions = {}): Promise<PipelineWorker> {
  const agentLog = join(rig.root, 'agent-log');
  await mkdir(agentLog, { recursive: true });
  const env = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '',
    REPOVISOR_SLUG: 'acme/alpha',
    REPOVISOR_REPO_PATH: rig.repo,
    REPOVISOR_DATA_ROOT: rig.dataRoot,
    ...(pipeline === null ? {} : { REPOVISOR_PIPELINE: JSON.stringify(pipeline) }),
    PIPELINE_AGENT_LOG: agentLog,
    ...options.env,
  };
  const worker = children.start(process.execPath, [...(options.nodeArgs ?? []), options.main ?? WORKER_MAIN], { env });
  const url = await waitFor('the worker to listen', () => {
    if (worker.child.exitCode !== null) throw new Error(`the worker exited with code ${worker.child.exitCode}: ${worker.stderr()}`);
    for (const line of worker.stdout().split('\n')) {
      if (line.includes('worker listening')) return (JSON.parse(line) as { url: string }).url;
    }
    return undefined;
  });
  const base = new URL(url).origin;
  return {
    worker,
    base,
    agentLog,
    api: async <T>(method: string, path: string, body?: unknown) => {
      const response = await fetch(`${base}${path}`, {
        method,
        headers: body === undefined ? {} : { 'content-type': 'application/json' },
        body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
      });
      return { status: response.status, body: (await response.json()) as T };
    },
  };
}
