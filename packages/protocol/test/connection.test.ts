import { afterEach, describe, expect, it } from '@jest/globals';
import { z } from 'zod';
import type { CloseInfo, RequestSpec } from '../src/index.js';
import { ConnectionError, ErrorCodes, ResponseError, SupervisorRequests, WorkerNotifications, WorkerRequests } from '../src/index.js';
import type { ConnectionPair } from './helpers.js';
import { Echo, Ping, Slow, collectLines, connectionPair, settle, until } from './helpers.js';

let pair: ConnectionPair | undefined;

function open(options?: Parameters<typeof connectionPair>[0]): ConnectionPair {
  pair = connectionPair(options);
  return pair;
}

afterEach(() => {
  pair?.dispose();
  pair = undefined;
});

describe('Connection requests', () => {
  it('answers 200 concurrent requests answered out of order, each with its own result', async () => {
    const { client, server } = open();
    server.handle(Echo, async ({ n }) => {
      await new Promise((resolve) => setTimeout(resolve, Math.floor(Math.random() * 20)));
      return { n, text: `answer ${n}` };
    });
    const results = await Promise.all(Array.from({ length: 200 }, (_, n) => client.request(Echo, { n })));
    expect(results).toEqual(Array.from({ length: 200 }, (_, n) => ({ n, text: `answer ${n}` })));
  });

  it('lets both sides send requests on the same connection', async () => {
    const { client, server } = open();
    client.handle(Echo, ({ n }) => ({ n: n + 1000 }));
    server.handle(Echo, ({ n }) => ({ n: n + 1 }));
    await expect(client.request(Echo, { n: 1 })).resolves.toEqual({ n: 2 });
    await expect(server.request(Echo, { n: 1 })).resolves.toEqual({ n: 1001 });
  });

  it('treats omitted params as {} for methods without params', async () => {
    const { client, clientToServer, server } = open();
    const answers = collectLines(pair!.serverToClient);
    server.handle(SupervisorRequests.runtimeStatus, () => ({ slug: 'a/b', repo: '/r', running: false, session_id: null, uptime_seconds: 0, last_error: null }));
    clientToServer.write('{"id":7,"method":"runtime.status"}\n');
    await until(() => answers.length === 1);
    expect(answers[0]).toMatchObject({ id: 7, result: { slug: 'a/b', running: false } });
    expect(client.closed).toBe(false);
  });

  it('sends a thrown ResponseError with its code, message and data', async () => {
    const { client, server } = open();
    server.handle(SupervisorRequests.runtimeStart, () => {
      throw new ResponseError(ErrorCodes.AlreadyRunning, 'Already running', { since: 1 });
    });
    const error = await client.request(SupervisorRequests.runtimeStart, {}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ResponseError);
    expect(error).toMatchObject({ code: 'already_running', message: 'Already running', data: { since: 1 } });
  });

  it('maps any other handler failure, sync or async, to internal_error with its message', async () => {
    const { client, server } = open();
    server.handle(Echo, ({ n }) => {
      if (n === 0) throw new Error('sync boom');
      return Promise.reject(new Error('async boom'));
    });
    await expect(client.request(Echo, { n: 0 })).rejects.toMatchObject({ code: 'internal_error', message: 'sync boom' });
    await expect(client.request(Echo, { n: 1 })).rejects.toMatchObject({ code: 'internal_error', message: 'async boom' });
  });

  it('answers invalid_params with the schema issues and never calls the handler', async () => {
    const { client, server } = open();
    let calls = 0;
    server.handle(WorkerRequests.hello, () => {
      calls++;
      return { protocolVersion: 1, supervisorPid: 1 };
    });
    const bad = { slug: 'a/b', pid: 1, protocolVersion: 1, token: '', httpPort: 70000, running: false, sessionId: null };
    const error = await client.request(WorkerRequests.hello, bad).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ResponseError);
    expect((error as ResponseError).code).toBe('invalid_params');
    expect((error as ResponseError).message).toMatch(/token/);
    expect((error as ResponseError).message).toMatch(/httpPort/);
    expect(calls).toBe(0);
  });

  it('answers method_not_found for a method without a handler', async () => {
    const { client } = open();
    await expect(client.request(Echo, { n: 1 })).rejects.toMatchObject({ code: 'method_not_found' });
  });

  it('rejects a result that fails the result schema with invalid_response', async () => {
    const { client, server } = open();
    const Loose: RequestSpec<{ n: number }, unknown> = { method: Echo.method, params: z.object({ n: z.number() }), result: z.unknown() };
    server.handle(Loose, () => ({ n: 'not a number' }));
    await expect(client.request(Echo, { n: 1 })).rejects.toMatchObject({ code: 'invalid_response' });
  });

  it('times out a request that gets no answer and ignores the late answer', async () => {
    const { client, server, clientLog } = open();
    let answer: (() => void) | undefined;
    server.handle(Slow, () => new Promise<{ done: true }>((resolve) => (answer = () => resolve({ done: true }))));
    const error = await client.request(Slow, { ms: 0 }, { timeoutMs: 20 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectionError);
    expect((error as ConnectionError).code).toBe('timeout');
    answer?.();
    await until(() => clientLog.debugs.some((entry) => entry.msg.startsWith('response ignored')));
    server.handle(Echo, ({ n }) => ({ n }));
    await expect(client.request(Echo, { n: 3 })).resolves.toEqual({ n: 3 });
  });

  it('rejects a request that cannot be serialized and keeps the connection open', async () => {
    const { client, server } = open();
    server.handle(Echo, ({ n }) => ({ n }));
    const Big: RequestSpec<{ n: bigint }, unknown> = { method: 'test.big', params: z.object({ n: z.bigint() }), result: z.unknown() };
    await expect(client.request(Big, { n: 1n })).rejects.toThrow(/not serializable/);
    await expect(client.request(Echo, { n: 2 })).resolves.toEqual({ n: 2 });
  });

  it('rejects a request on a closed connection with connection_closed', async () => {
    const { client } = open();
    client.close();
    await expect(client.request(Echo, { n: 1 })).rejects.toMatchObject({ name: 'ConnectionError', code: 'connection_closed' });
  });
});

describe('Connection notifications', () => {
  it('delivers notifications both ways, validated by their schema', async () => {
    const { client, server } = open();
    const atServer: unknown[] = [];
    const atClient: number[] = [];
    server.onNotification(WorkerNotifications.runtimeState, (params) => atServer.push(params));
    client.onNotification(Ping, ({ seq }) => atClient.push(seq));
    client.notify(WorkerNotifications.runtimeState, { slug: 'a/b', running: true, sessionId: 's1', lastError: null });
    server.notify(Ping, { seq: 1 });
    server.notify(Ping, { seq: 2 });
    await until(() => atServer.length === 1 && atClient.length === 2);
    expect(atServer).toEqual([{ slug: 'a/b', running: true, sessionId: 's1', lastError: null }]);
    expect(atClient).toEqual([1, 2]);
  });

  it('logs and drops a notification with invalid params, without answering', async () => {
    const { clientToServer, server, serverLog } = open();
    const answers = collectLines(pair!.serverToClient);
    const received: unknown[] = [];
    server.onNotification(Ping, (params) => received.push(params));
    clientToServer.write('{"method":"test.ping","params":{"seq":"one"}}\n{"method":"test.ping","params":{"seq":2}}\n');
    await until(() => received.length === 1);
    expect(received).toEqual([{ seq: 2 }]);
    expect(serverLog.warnings.map((w) => w.msg)).toContain('notification dropped: invalid params');
    expect(answers).toEqual([]);
  });

  it('stops delivering after dispose, and disposing twice is safe', async () => {
    const { client, server } = open();
    const received: number[] = [];
    const subscription = server.onNotification(Ping, ({ seq }) => received.push(seq));
    client.notify(Ping, { seq: 1 });
    await until(() => received.length === 1);
    subscription.dispose();
    subscription.dispose();
    client.notify(Ping, { seq: 2 });
    server.onNotification(Ping, ({ seq }) => received.push(seq * 10));
    client.notify(Ping, { seq: 3 });
    await until(() => received.length === 2);
    expect(received).toEqual([1, 30]);
  });

  it('is a no-op to notify on a closed connection', () => {
    const { client } = open();
    client.close();
    expect(() => client.notify(Ping, { seq: 1 })).not.toThrow();
  });
});

describe('Connection handlers', () => {
  it('disposing a request handler twice is safe and leaves a later handler in place', async () => {
    const { client, server } = open();
    const first = server.handle(Echo, () => ({ n: 1 }));
    first.dispose();
    await expect(client.request(Echo, { n: 0 })).rejects.toMatchObject({ code: 'method_not_found' });
    server.handle(Echo, () => ({ n: 2 }));
    first.dispose();
    await expect(client.request(Echo, { n: 0 })).resolves.toEqual({ n: 2 });
  });

  it('refuses a second handler for the same method', () => {
    const { server } = open();
    server.handle(Echo, ({ n }) => ({ n }));
    expect(() => server.handle(Echo, ({ n }) => ({ n }))).toThrow(/already registered/);
  });
});

describe('Connection on bad input', () => {
  it('answers parse_error to a line that is not JSON and keeps working', async () => {
    const { clientToServer, server } = open();
    const answers = collectLines(pair!.serverToClient);
    server.handle(Echo, ({ n }) => ({ n }));
    clientToServer.write('this is not json\n{"id":1,"method":"test.echo","params":{"n":5}}\r\n');
    await until(() => answers.length === 2);
    expect(answers[0]).toMatchObject({ id: null, error: { code: 'parse_error' } });
    expect(answers[1]).toEqual({ id: 1, result: { n: 5 } });
    expect(server.closed).toBe(false);
  });

  it('answers invalid_request to JSON of no protocol shape when nobody listens for unknown messages', async () => {
    const { clientToServer, server } = open();
    const answers = collectLines(pair!.serverToClient);
    clientToServer.write('{"id":1}\n[1,2]\n"text"\n{"id":-1,"method":"x"}\n');
    await until(() => answers.length === 4);
    for (const answer of answers) expect(answer).toMatchObject({ id: null, error: { code: 'invalid_request' } });
    expect(server.closed).toBe(false);
  });

  it('hands JSON of no protocol shape to onUnknownMessage, which can answer with writeRaw', async () => {
    const { clientToServer, server } = open();
    const answers = collectLines(pair!.serverToClient);
    server.onUnknownMessage((message) => {
      if (typeof message === 'object' && message !== null && 'action' in message) server.writeRaw({ status: 'ok' });
    });
    clientToServer.write('{"action":"ping"}\n');
    await until(() => answers.length === 1);
    expect(answers).toEqual([{ status: 'ok' }]);
  });

  it('closes with line_too_long on an oversize line, rejecting pending requests', async () => {
    const { client, clientToServer, server, serverLog } = open({ server: { maxLineBytes: 64 } });
    // Caught at once: an assertion failing before the last line must not leave the rejection unhandled.
    const pending = client.request(Slow, { ms: 0 }).catch((e: unknown) => e);
    const serverClosed = new Promise<CloseInfo>((resolve) => server.onClose(resolve));
    const serverPending = server.request(Echo, { n: 1 }).catch((e: unknown) => e);
    clientToServer.write(`{"junk":"${'x'.repeat(100)}`);
    const info = await serverClosed;
    expect(info.reason).toBe('line_too_long');
    expect(server.closeReason).toBe('line_too_long');
    expect(await serverPending).toMatchObject({ code: 'connection_closed' });
    expect(serverLog.warnings.some((w) => w.msg.includes('Line too long'))).toBe(true);
    client.close();
    expect(await pending).toMatchObject({ code: 'connection_closed' });
  });

  it('closes cleanly when the peer ends mid-line, rejecting pending requests with connection_closed', async () => {
    const { clientToServer, server } = open();
    const pending = server.request(Echo, { n: 1 });
    const closed = new Promise<CloseInfo>((resolve) => server.onClose(resolve));
    clientToServer.end('{"id":1,"method":"test.ec');
    await expect(pending).rejects.toMatchObject({ name: 'ConnectionError', code: 'connection_closed' });
    expect(await closed).toEqual({ reason: 'peer' });
    expect(server.closed).toBe(true);
  });

  it('answers a request in flight when the peer ends after sending it', async () => {
    const { clientToServer, server } = open();
    const answers = collectLines(pair!.serverToClient);
    server.handle(Echo, async ({ n }) => {
      await settle();
      return { n };
    });
    const closed = new Promise<CloseInfo>((resolve) => server.onClose(resolve));
    clientToServer.end('{"id":4,"method":"test.echo","params":{"n":4}}\n');
    expect(await closed).toEqual({ reason: 'peer' });
    await settle();
    expect(answers).toEqual([{ id: 4, result: { n: 4 } }]);
  });
});

describe('Connection close', () => {
  it('fires onClose once, also for a listener registered after the close', async () => {
    const { client } = open();
    const seen: CloseInfo[] = [];
    client.onClose((info) => seen.push(info));
    client.close();
    client.close('error');
    client.onClose((info) => seen.push(info));
    await settle();
    expect(seen).toEqual([{ reason: 'local' }, { reason: 'local' }]);
    expect(client.closeReason).toBe('local');
  });

  it('rejects pending requests with disposed when disposed', async () => {
    const { client } = open();
    const pending = client.request(Slow, { ms: 0 });
    client.dispose();
    client.dispose();
    await expect(pending).rejects.toMatchObject({ code: 'disposed' });
  });

  it('closeAfterFlush sends the answer of a handler that throws before closing', async () => {
    const { clientToServer, server } = open();
    const answers = collectLines(pair!.serverToClient);
    server.handle(WorkerRequests.hello, () => {
      void server.closeAfterFlush();
      throw new ResponseError(ErrorCodes.Unauthorized, 'Wrong token for a/b');
    });
    clientToServer.write(
      `${JSON.stringify({ id: 0, method: 'hello', params: { slug: 'a/b', pid: 1, protocolVersion: 1, token: 't', httpPort: null, running: false, sessionId: null } })}\n`,
    );
    await new Promise<CloseInfo>((resolve) => server.onClose(resolve));
    await settle();
    expect(answers).toEqual([{ id: 0, error: { code: 'unauthorized', message: 'Wrong token for a/b' } }]);
    expect(server.closeReason).toBe('local');
    expect(pair!.serverToClient.writableEnded).toBe(true);
  });
});
