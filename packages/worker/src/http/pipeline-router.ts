import express, { Router } from 'express';
import type { Request, Response } from 'express';
import type { PipelineEngine, HumanAction } from '../pipeline/engine/pipeline-engine.js';
import { lastTranscriptLines } from '../pipeline/engine/transcripts.js';
import { MAX_BODY_BYTES } from '../pipeline/tasks/task-input.js';
import { toHitlItems, toPipelineSnapshot, toTaskView } from '../pipeline/tasks/task-views.js';
import { integerParameter } from './query-parameters.js';

/** The default and the most transcript lines `GET /api/tasks/:id/transcript` answers. */
const TRANSCRIPT_LINES = { fallback: 20, max: 1000 } as const;
// Larger than any valid body, so that a too-large field is told by the task checks (413 with the field named).
const JSON_LIMIT = '1mb';

/**
 * The pipeline's routes: `/api/tasks…`, `/api/pipeline` and `/api/hitl…` of
 * the worker's runtime, mounted at `/api` behind the pipeline gate, which
 * loads them only for a runtime whose pipeline is enabled.
 */
export function pipelineRouter(pipeline: PipelineEngine, dataRoot: string): Router {
  const router = Router();
  router.use(express.json({ limit: JSON_LIMIT }));
  const engine = (): PipelineEngine => pipeline;

  router.get('/tasks', (_request, response) => {
    response.json({ tasks: engine().store.list().map(toTaskView) });
  });
  router.post('/tasks', async (request, response) => {
    const created = await engine().create(request.body);
    if (created.ok) response.status(201).json(toTaskView(created.task));
    else response.status(created.code === 'too_large' ? 413 : created.code === 'elsewhere' ? 409 : 400).json({ error: created.message });
  });
  router.get('/tasks/:id', (request, response) => {
    const task = taskOf(engine(), request, response);
    if (task !== undefined) response.json(toTaskView(task));
  });
  router.get('/tasks/:id/transcript', async (request, response) => {
    const task = taskOf(engine(), request, response);
    if (task === undefined) return;
    const lines = integerParameter(request.query.lines, TRANSCRIPT_LINES.fallback, 1, TRANSCRIPT_LINES.max);
    if (lines === undefined) {
      response.status(400).json({ error: `lines must be a whole number from 1 to ${TRANSCRIPT_LINES.max}, got ${JSON.stringify(request.query.lines)}` });
      return;
    }
    const tail = await lastTranscriptLines(dataRoot, task.id, lines);
    response.json({ task: task.id, ...tail });
  });
  router.get('/pipeline', (_request, response) => {
    response.json(toPipelineSnapshot(engine().store.list()));
  });
  router.get('/hitl', (_request, response) => {
    response.json({ items: toHitlItems(engine().store.list()) });
  });
  router.post('/hitl/:id/:action', async (request, response) => {
    const action = humanActionOf(request.params.action, request.body);
    if ('status' in action) {
      response.status(action.status).json({ error: action.error });
      return;
    }
    const task = taskOf(engine(), request, response);
    if (task === undefined) return;
    const done = await engine().act(task.id, action);
    if (done.ok) response.json(toTaskView(done.task));
    else response.status(done.code === 'not_found' ? 404 : 409).json({ error: done.message });
  });
  return router;
}

/** The task `:id` names, or undefined once a 404 has been answered. */
function taskOf(engine: PipelineEngine, request: Request<{ id: string }>, response: Response): ReturnType<PipelineEngine['store']['get']> {
  const id = /^[1-9]\d{0,15}$/.test(request.params.id) ? Number(request.params.id) : undefined;
  const task = id === undefined ? undefined : engine.store.get(id);
  if (task === undefined) response.status(404).json({ error: `Unknown task: ${request.params.id}` });
  return task;
}

/** The human action of `POST /api/hitl/:id/<name>` with `body`, or the refusal to answer. */
function humanActionOf(name: string, body: unknown): HumanAction | { status: number; error: string } {
  if (name === 'skip') return { kind: 'skip' };
  if (name === 'close') return { kind: 'close' };
  if (name !== 'correct') return { status: 404, error: `Not found: POST /api/hitl/:id/${name} (the actions are correct, skip and close)` };
  const correction = (body as { correction?: unknown } | undefined)?.correction;
  if (typeof correction !== 'string' || correction.trim() === '') {
    return { status: 400, error: 'a correction must be a JSON object {correction: "<what the agent should do differently>"} with a non-empty string' };
  }
  const bytes = Buffer.byteLength(correction);
  if (bytes > MAX_BODY_BYTES) return { status: 413, error: `the correction is ${bytes} bytes; at most ${MAX_BODY_BYTES} (64 KiB) are taken` };
  return { kind: 'correct', correction };
}
