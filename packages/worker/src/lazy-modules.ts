import type { EventStreamUpgrade } from './http/event-stream.js';
import type { WorkerAppOptions } from './http/worker-app.js';
import type { Express, RequestHandler } from 'express';
import type { PipelineEngineOptions, PipelineEngine } from './pipeline/engine/pipeline-engine.js';
import type { AgentRunner } from './pipeline/engine/stage-run.js';

// The worker's start-up decisions, in one place: what it loads only on first
// use instead of at start. What each one buys is in docs/BENCHMARKS.md,
// "What each start-up trick buys".

/** The express app serving `/api/runtimes`, loaded with express on the first request other than `GET /healthz`. */
export async function loadWorkerApp(options: WorkerAppOptions): Promise<Express> {
  const { createWorkerApp } = await import('./http/worker-app.js');
  return createWorkerApp(options);
}

/** The pipeline engine, loaded only by a runtime whose repo has `pipeline.enabled`. */
export async function loadPipelineEngine(options: Omit<PipelineEngineOptions, 'loadRunner'>): Promise<PipelineEngine> {
  const { PipelineEngine } = await import('./pipeline/engine/pipeline-engine.js');
  return PipelineEngine.load({ ...options, loadRunner: loadAgentRunner });
}

/** The agent runner (process groups, transcripts, markers), loaded on a worker's first agent run. */
async function loadAgentRunner(): Promise<AgentRunner> {
  const [{ runCommandAgent }, { runKindAgent }, { stageOutcome }] = await Promise.all([
    import('./pipeline/agents/command-agent.js'),
    import('./pipeline/agents/kind-agent.js'),
    import('./pipeline/agents/markers.js'),
  ]);
  return { runCommandAgent, runKindAgent, stageOutcome };
}

/** The pipeline's HTTP routes, loaded on the first pipeline request to a worker whose pipeline is enabled. */
export async function loadPipelineRouter(pipeline: PipelineEngine, dataRoot: string): Promise<RequestHandler> {
  const { pipelineRouter } = await import('./http/pipeline-router.js');
  return pipelineRouter(pipeline, dataRoot);
}

/** The `/ws` event stream (and the `ws` library), loaded on a worker's first WebSocket upgrade. */
export async function loadEventStream(options: WorkerAppOptions): Promise<EventStreamUpgrade> {
  const { createEventStream } = await import('./http/event-stream.js');
  return createEventStream(options.registry, options.logger);
}
