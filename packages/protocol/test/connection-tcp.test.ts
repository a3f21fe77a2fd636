import { afterEach, describe, expect, it } from '@jest/globals';
import type { AddressInfo, Server, Socket } from 'node:net';
import { connect, createServer } from 'node:net';
import type { CloseInfo } from '../src/index.js';
import { Connection } from '../src/index.js';
import { Echo, RecordingLogger } from './helpers.js';

const servers: Server[] = [];
const sockets: Socket[] = [];
const connections: Connection[] = [];

afterEach(async () => {
  for (const connection of connections.splice(0)) connection.close();
  for (const socket of sockets.splice(0)) socket.destroy();
  await Promise.all(servers.splice(0).map((server) => new Promise<void>((resolve) => server.close(() => resolve()))));
});

interface EchoServer {
  port: number;
  log: RecordingLogger;
  closes: CloseInfo[];
}

/** A TCP server on 127.0.0.1 answering Echo on every connection. */
async function startEchoServer(): Promise<EchoServer> {
  const log = new RecordingLogger();
  const closes: CloseInfo[] = [];
  const server = createServer((socket) => {
    const connection = Connection.fromSocket(socket, { logger: log, label: 'server side' });
    connections.push(connection);
    connection.handle(Echo, ({ n, text }) => ({ n, text }));
    connection.onClose((info) => closes.push(info));
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { port: (server.address() as AddressInfo).port, log, closes };
}

async function dial(port: number): Promise<Socket> {
  const socket = connect({ host: '127.0.0.1', port });
  sockets.push(socket);
  // A peer that was cut off may see EPIPE or ECONNRESET; that is the point of some tests.
  socket.on('error', () => undefined);
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  return socket;
}

async function dialConnection(port: number): Promise<Connection> {
  const connection = Connection.fromSocket(await dial(port), { label: 'client side' });
  connections.push(connection);
  return connection;
}

describe('Connection over TCP', () => {
  it('answers requests over a real socket', async () => {
    const { port } = await startEchoServer();
    const client = await dialConnection(port);
    await expect(client.request(Echo, { n: 1, text: 'hi' })).resolves.toEqual({ n: 1, text: 'hi' });
    const many = await Promise.all(Array.from({ length: 50 }, (_, n) => client.request(Echo, { n })));
    expect(many.map((result) => result.n)).toEqual(Array.from({ length: 50 }, (_, n) => n));
  });

  it('cuts off a 50 MiB stream without a newline and keeps serving another client', async () => {
    const { port, log, closes } = await startEchoServer();
    const flooder = await dial(port);
    const chunk = Buffer.alloc(1024 * 1024, 'x');
    let sent = 0;
    let cutOff = false;
    flooder.once('close', () => (cutOff = true));
    // Writes 50 MiB respecting backpressure, stopping early once the server hangs up.
    while (sent < 50 && !cutOff && !flooder.destroyed) {
      const flushed = flooder.write(chunk);
      sent++;
      if (!flushed) {
        await new Promise<void>((resolve) => {
          flooder.once('drain', resolve);
          flooder.once('close', resolve);
        });
      }
    }
    await new Promise<void>((resolve) => (flooder.destroyed ? resolve() : flooder.once('close', () => resolve())));
    expect(sent).toBeLessThan(50);
    expect(closes.map((info) => info.reason)).toEqual(['line_too_long']);
    expect(log.warnings.some((warning) => warning.msg.includes('Line too long'))).toBe(true);

    const second = await dialConnection(port);
    await expect(second.request(Echo, { n: 2 })).resolves.toEqual({ n: 2 });
  });

  it('keeps serving one client while another sends garbage', async () => {
    const { port } = await startEchoServer();
    const good = await dialConnection(port);
    const rogue = await dial(port);
    const rogueAnswers: string[] = [];
    rogue.on('data', (data: Buffer) => rogueAnswers.push(data.toString('utf8')));
    rogue.write('garbage\n{"no":"shape"}\n\u0000\u0001binary\n');
    const results = await Promise.all(Array.from({ length: 20 }, (_, n) => good.request(Echo, { n })));
    expect(results.map((result) => result.n)).toEqual(Array.from({ length: 20 }, (_, n) => n));
    while (rogueAnswers.join('').split('\n').length < 4) await new Promise((resolve) => setImmediate(resolve));
    const codes = rogueAnswers
      .join('')
      .trim()
      .split('\n')
      .map((line) => (JSON.parse(line) as { error: { code: string } }).error.code);
    expect(codes).toEqual(['parse_error', 'invalid_request', 'parse_error']);
    expect(good.closed).toBe(false);
  });

  it('rejects pending requests with connection_closed when the server goes away', async () => {
    const log = new RecordingLogger();
    const server = createServer((socket) => {
      // Reads the request, then hangs up without answering.
      socket.once('data', () => socket.destroy());
    });
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const client = Connection.fromSocket(await dial((server.address() as AddressInfo).port), { logger: log });
    connections.push(client);
    await expect(client.request(Echo, { n: 1 })).rejects.toMatchObject({ code: 'connection_closed' });
    expect(client.closed).toBe(true);
  });
});
