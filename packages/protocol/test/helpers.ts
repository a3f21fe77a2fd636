import { PassThrough } from 'node:stream';
import { z } from 'zod';
import type { ConnectionLogger, ConnectionOptions, NotificationSpec, RequestSpec } from '../src/index.js';
import { Connection } from '../src/index.js';

/** A logger that keeps what it is told, for assertions. */
export class RecordingLogger implements ConnectionLogger {
  readonly warnings: { obj: object; msg: string }[] = [];
  readonly debugs: { obj: object; msg: string }[] = [];

  warn(obj: object, msg: string): void {
    this.warnings.push({ obj, msg });
  }

  debug(obj: object, msg: string): void {
    this.debugs.push({ obj, msg });
  }
}

/** Two connections over crossed in-memory streams, plus the raw streams to play a misbehaving peer. */
export interface ConnectionPair {
  client: Connection;
  server: Connection;
  clientToServer: PassThrough;
  serverToClient: PassThrough;
  clientLog: RecordingLogger;
  serverLog: RecordingLogger;
  dispose(): void;
}

/** Builds a {@link ConnectionPair}; `dispose` closes both sides and destroys the streams. */
export function connectionPair(options: { client?: ConnectionOptions; server?: ConnectionOptions } = {}): ConnectionPair {
  const clientToServer = new PassThrough();
  const serverToClient = new PassThrough();
  const clientLog = new RecordingLogger();
  const serverLog = new RecordingLogger();
  const client = new Connection(serverToClient, clientToServer, { label: 'client', logger: clientLog, ...options.client });
  const server = new Connection(clientToServer, serverToClient, { label: 'server', logger: serverLog, ...options.server });
  return {
    client,
    server,
    clientToServer,
    serverToClient,
    clientLog,
    serverLog,
    dispose(): void {
      client.close();
      server.close();
      clientToServer.destroy();
      serverToClient.destroy();
    },
  };
}

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
