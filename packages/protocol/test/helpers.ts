import { PassThrough } from 'node:stream';
import type { ConnectionLogger, ConnectionOptions } from '../src/index.js';
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

export { Echo, Ping, Slow, collectLines, settle, until } from './specs.js';
