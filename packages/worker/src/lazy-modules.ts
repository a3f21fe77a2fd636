import type { WorkerAppOptions } from './http/worker-app.js';
import type { Express } from 'express';

// The worker's start-up decisions, in one place: what it loads only on first
// use instead of at start. What each one buys is in docs/BENCHMARKS.md,
// "What each start-up trick buys".

/** The express app serving `/api/runtimes`, loaded with express on the first request other than `GET /healthz`. */
export async function loadWorkerApp(options: WorkerAppOptions): Promise<Express> {
  const { createWorkerApp } = await import('./http/worker-app.js');
  return createWorkerApp(options);
}
