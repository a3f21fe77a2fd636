import type { PassThrough } from 'node:stream';
import { z } from 'zod';
import type { NotificationSpec, RequestSpec } from '../src/methods.js';

// Helpers that need no Connection, so a test of one module loads only that module.

/** Collects JSON lines written to a stream. */
export function collectLines(stream: PassThrough): unknown[] {
  const lines: unknown[] = [];
  let buffered = '';
  stream.on('data', (chunk: Buffer) => {
    buffered += chunk.toString('utf8');
    const parts = buffered.split('\n');
    buffered = parts.pop() ?? '';
    for (const part of parts) lines.push(JSON.parse(part));
  });
  return lines;
}

/** Resolves on the next macrotask, after pending stream events. */
export function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** Resolves once `predicate` holds, checking after each macrotask. */
export async function until(predicate: () => boolean): Promise<void> {
  while (!predicate()) await settle();
}

/** A test method echoing a number and a string. */
export const Echo: RequestSpec<{ n: number; text?: string | undefined }, { n: number; text?: string | undefined }> = {
  method: 'test.echo',
  params: z.object({ n: z.number().int(), text: z.string().optional() }),
  result: z.object({ n: z.number().int(), text: z.string().optional() }),
};

/** A test method that never gets a handler on the other side, or a slow one. */
export const Slow: RequestSpec<{ ms: number }, { done: true }> = {
  method: 'test.slow',
  params: z.object({ ms: z.number() }),
  result: z.object({ done: z.literal(true) }),
};

/** A test notification. */
export const Ping: NotificationSpec<{ seq: number }> = {
  method: 'test.ping',
  params: z.object({ seq: z.number().int() }),
};
