import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Express } from 'express';
import { isLoopbackHost } from '@repovisor/kit';
import { loadEventStream, loadWorkerApp } from '../lazy-modules.js';
import type { EventStreamUpgrade } from './event-stream.js';
import type { WorkerAppOptions } from './worker-app.js';

function sendJson(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
  response.end(JSON.stringify(body));
}

function isHealthz(request: IncomingMessage): boolean {
  const url = request.url ?? '';
  return request.method === 'GET' && (url === '/healthz' || url.startsWith('/healthz?'));
}

/** Why an upgrade request is refused (an HTTP status line), or undefined: only `/ws`, from a loopback Host. */
function upgradeRefusal(request: IncomingMessage): string | undefined {
  const url = request.url ?? '';
  if (url !== '/ws' && !url.startsWith('/ws?')) return '404 Not Found';
  return isLoopbackHost(request.headers.host) ? undefined : '403 Forbidden';
}

/**
 * The worker's HTTP server. It answers the supervisor's frequent `GET /healthz`
 * itself and loads the express app (`/api/runtimes`) on the first other
 * request, so that an idle worker never pays express's start-up time and memory.
 * A WebSocket upgrade of `/ws` loads the event stream (and `ws`) the same way.
 */
export function createWorkerHttpServer(options: WorkerAppOptions): Server {
  let app: Promise<Express> | undefined;
  const server = createServer((request, response) => {
    if (isHealthz(request)) {
      if (!isLoopbackHost(request.headers.host)) {
        sendJson(response, 403, { error: 'Forbidden: the Host header must name the loopback interface (localhost or 127.0.0.1)' });
      } else {
        sendJson(response, 200, { status: 'ok', pid: process.pid });
      }
      return;
    }
    app ??= loadWorkerApp(options);
    app.then(
      (handler) => {
        handler(request, response);
      },
      (error: unknown) => {
        options.logger.error({ err: error }, 'could not load the HTTP app');
        sendJson(response, 500, { error: 'Internal error: the HTTP app could not be loaded' });
      },
    );
  });
  let stream: Promise<EventStreamUpgrade> | undefined;
  server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    const refusal = upgradeRefusal(request);
    if (refusal !== undefined) {
      socket.end(`HTTP/1.1 ${refusal}\r\nconnection: close\r\ncontent-length: 0\r\n\r\n`);
      return;
    }
    stream ??= loadEventStream(options);
    stream.then(
      (upgrade) => upgrade(request, socket, head),
      (error: unknown) => {
        options.logger.error({ err: error }, 'could not load the event stream');
        socket.end('HTTP/1.1 500 Internal Server Error\r\nconnection: close\r\ncontent-length: 0\r\n\r\n');
      },
    );
  });
  // Longer than any sensible probe interval, so the supervisor's kept-alive probe connection stays open.
  server.keepAliveTimeout = 65_000;
  return server;
}
