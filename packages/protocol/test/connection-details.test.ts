import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { PassThrough } from 'node:stream';
import { z } from 'zod';
import type { CloseInfo, RequestSpec } from '../src/index.js';
import { Connection, ConnectionError, ResponseError } from '../src/index.js';
import type { ConnectionPair } from './helpers.js';
import { Echo, Ping, RecordingLogger, Slow, collectLines, connectionPair, settle, until } from './helpers.js';

let pair: ConnectionPair | undefined;
const extra: Connection[] = [];
const streams: PassThrough[] = [];

function open(options?: Parameters<typeof connectionPair>[0]): ConnectionPair {
  pair = connectionPair(options);
  return pair;
}

/** A connection over two fresh streams, cleaned up after the test. */
function single(options: ConstructorParameters<typeof Connection>[2] = {}): { connection: Connection; readable: PassThrough; writable: PassThrough } {
  const readable = new PassThrough();
  const writable = new PassThrough();
  streams.push(readable, writable);
  const connection = new Connection(readable, writable, options);
  extra.push(connection);
  return { connection, readable, writable };
}

afterEach(() => {
  jest.useRealTimers();
  pair?.dispose();
  pair = undefined;
  for (const connection of extra.splice(0)) connection.close();
  for (const stream of streams.splice(0)) stream.destroy();
});

const rangeMessage = (name: string, value: number) => `${name} must be a number of milliseconds between 1 and 2147483647, got ${value}.`;

describe('Connection timeouts', () => {
  it('refuses a default request timeout that setTimeout cannot honour', () => {
    for (const value of [0, -1, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 31]) {
      expect(() => single({ requestTimeoutMs: value })).toThrow(new RangeError(rangeMessage('requestTimeoutMs', value)));
    }
    expect(() => single({ requestTimeoutMs: 2 ** 31 - 1 })).not.toThrow();
    expect(() => single({ requestTimeoutMs: 1 })).not.toThrow();
  });

  it('rejects a request whose own timeout is out of range, sending nothing', async () => {
    const { connection, writable } = single();
    const lines = collectLines(writable);
    await expect(connection.request(Echo, { n: 1 }, { timeoutMs: 0 })).rejects.toThrow(new RangeError(rangeMessage('timeoutMs', 0)));
    await expect(connection.request(Echo, { n: 1 }, { timeoutMs: 2 ** 31 })).rejects.toThrow(new RangeError(rangeMessage('timeoutMs', 2 ** 31)));
    await settle();
    expect(lines).toEqual([]);
  });

  it('waits 10 s for an answer by default, or the connection\'s requestTimeoutMs', async () => {
    jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] });
    const { connection } = single({ label: 'peer x' });
    const outcome = connection.request(Slow, { ms: 0 }).catch((error: unknown) => error);
    jest.advanceTimersByTime(9_999);
    await settle();
    jest.advanceTimersByTime(1);
    expect(await outcome).toMatchObject({ code: 'timeout', message: expect.stringContaining('on peer x got no response within 10000 ms') });

    const { connection: quick } = single({ requestTimeoutMs: 300 });
    const quickOutcome = quick.request(Slow, { ms: 0 }).catch((error: unknown) => error);
    jest.advanceTimersByTime(300);
    expect(await quickOutcome).toMatchObject({ code: 'timeout', message: expect.stringContaining('(id 0) on connection got no response within 300 ms') });
  });
});

describe('Connection error messages', () => {
  it('names the method, the label and why, for a request on a closed or disposed connection', async () => {
    const { connection } = single();
    connection.close('peer');
    await expect(connection.request(Echo, { n: 1 })).rejects.toMatchObject({
      name: 'ConnectionError',
      code: 'connection_closed',
      message: 'Cannot send request "test.echo" on connection: the connection closed (peer). Open a new connection.',
    });
    const { connection: disposed } = single({ label: 'worker a/b' });
    disposed.dispose();
    await expect(disposed.request(Echo, { n: 1 })).rejects.toMatchObject({
      code: 'disposed',
      message: 'Cannot send request "test.echo" on worker a/b: the connection was disposed. Open a new connection.',
    });
  });

  it('keeps connection_closed when a closed connection is disposed later', async () => {
    const { connection } = single();
    connection.close();
    connection.dispose();
    await expect(connection.request(Echo, { n: 1 })).rejects.toMatchObject({ code: 'connection_closed' });
  });

  it('names the request left pending when the connection closes or is disposed', async () => {
    const { connection } = single({ label: 'c1' });
    const first = connection.request(Slow, { ms: 0 }).catch((error: unknown) => error);
    connection.close();
    expect(await first).toMatchObject({ code: 'connection_closed', message: 'Request "test.slow" (id 0) on c1 got no response: the connection closed (local).' });
    const { connection: other } = single({ label: 'c2' });
    const second = other.request(Slow, { ms: 0 }).catch((error: unknown) => error);
    other.dispose();
    expect(await second).toMatchObject({ code: 'disposed', message: 'Request "test.slow" (id 0) on c2 got no response: the connection was disposed.' });
  });

  it('numbers requests from 0, one id each', async () => {
    const { connection, writable } = single();
    const lines = collectLines(writable);
    void connection.request(Echo, { n: 1 }).catch(() => undefined);
    void connection.request(Echo, { n: 2 }).catch(() => undefined);
    await settle();
    expect(lines).toEqual([
      { id: 0, method: 'test.echo', params: { n: 1 } },
      { id: 1, method: 'test.echo', params: { n: 2 } },
    ]);
  });

  it('says what in a result does not match its schema', async () => {
    const { client, server } = open();
    const Loose: RequestSpec<{ n: number }, unknown> = { method: Echo.method, params: z.object({ n: z.number() }), result: z.unknown() };
    server.handle(Loose, () => ({ n: 'not a number' }));
    const error = await client.request(Echo, { n: 1 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ResponseError);
    expect(error).toMatchObject({
      code: 'invalid_response',
      message: expect.stringMatching(/^The response to "test\.echo" \(id 0\) on client does not match its schema: n: /),
      data: { issues: [expect.objectContaining({ path: 'n' })] },
    });
  });

  it('rejects with connection_closed, keeping the cause, when the stream has ended under an open connection', async () => {
    const { connection, writable } = single({ label: 'c3' });
    writable.end();
    const error = await connection.request(Echo, { n: 1 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectionError);
    expect(error).toMatchObject({ code: 'connection_closed', message: 'Cannot send request "test.echo" on c3: Cannot write a line: the stream is ended.' });
    expect((error as Error).cause).toBeInstanceOf(Error);
  });
});

describe('Connection logging', () => {
  it('logs a notification it cannot send, and one not sent because it is closed', () => {
    const log = new RecordingLogger();
    const { connection } = single({ logger: log, label: 'n1' });
    const Big = { method: 'test.big', params: z.object({ n: z.bigint() }) };
    connection.notify(Big, { n: 1n });
    expect(log.warnings).toEqual([{ obj: { connection: 'n1', method: 'test.big', err: expect.any(TypeError) as unknown }, msg: 'notification not sent' }]);
    connection.close();
    connection.notify(Ping, { seq: 1 });
    expect(log.debugs).toContainEqual({ obj: { connection: 'n1', method: 'test.ping', state: 'closed' }, msg: 'notification not sent: the connection is closed' });
  });

  it('logs a raw line it cannot write', () => {
    const log = new RecordingLogger();
    const { connection } = single({ logger: log });
    connection.writeRaw(1n);
    expect(log.debugs).toEqual([{ obj: { connection: 'connection', err: expect.any(TypeError) as unknown }, msg: 'raw line not sent' }]);
  });

  it('warns of an error the peer could not attribute, and notes a response to no pending request', async () => {
    const { clientToServer, serverLog } = open();
    clientToServer.write('{"id":null,"error":{"code":"parse_error","message":"bad"}}\n{"id":42,"result":1}\n');
    await until(() => serverLog.debugs.some((entry) => entry.msg.startsWith('response ignored')));
    expect(serverLog.warnings).toEqual([
      { obj: { connection: 'server', error: { code: 'parse_error', message: 'bad' } }, msg: 'the peer reported an error for a line it could not attribute' },
    ]);
    expect(serverLog.debugs).toContainEqual({
      obj: { connection: 'server', id: 42 },
      msg: 'response ignored: no such request is pending (it timed out or was never sent)',
    });
  });

  it('notes a partial last line, and the close, at debug', async () => {
    const { clientToServer, server, serverLog } = open();
    const closed = new Promise<CloseInfo>((resolve) => server.onClose(resolve));
    clientToServer.end('{"id":1');
    expect(await closed).toEqual({ reason: 'peer' });
    expect(serverLog.debugs).toContainEqual({ obj: { connection: 'server', partialLineBytes: 7 }, msg: 'the peer stopped mid-line; the partial line is discarded' });
    expect(serverLog.debugs).toContainEqual({ obj: { connection: 'server', reason: 'peer' }, msg: 'connection closed' });
    expect(serverLog.warnings).toEqual([]);
  });

  it('warns once of an oversize line, naming the limit, without a mid-line note', async () => {
    const { clientToServer, server, serverLog } = open({ server: { maxLineBytes: 8 } });
    const closed = new Promise<CloseInfo>((resolve) => server.onClose(resolve));
    clientToServer.write('123456789');
    const info = await closed;
    expect(info).toMatchObject({ reason: 'line_too_long', error: { name: 'LineTooLongError' } });
    expect(serverLog.warnings.map((entry) => entry.msg)).toEqual([`closing the connection: ${info.error?.message ?? ''}`]);
    expect(serverLog.warnings[0]?.obj).toMatchObject({ reason: 'line_too_long' });
    expect(serverLog.debugs.some((entry) => entry.msg.includes('mid-line'))).toBe(false);
  });

  it('closes with error on a transport error, warning with the error', async () => {
    const log = new RecordingLogger();
    const { connection, readable } = single({ logger: log });
    const closed = new Promise<CloseInfo>((resolve) => connection.onClose(resolve));
    const failure = new Error('ECONNRESET');
    readable.destroy(failure);
    expect(await closed).toEqual({ reason: 'error', error: failure });
    expect(connection.closeReason).toBe('error');
    expect(log.warnings).toContainEqual({ obj: { connection: 'connection', reason: 'error', err: failure }, msg: 'connection closed by a transport error' });
  });

  it('closes with error when the writable fails', async () => {
    const { connection, writable } = single();
    const closed = new Promise<CloseInfo>((resolve) => connection.onClose(resolve));
    const failure = new Error('EPIPE');
    writable.destroy(failure);
    expect(await closed).toEqual({ reason: 'error', error: failure });
  });

  it('closes as peer when the readable is destroyed without ending', async () => {
    const { connection, readable } = single();
    const closed = new Promise<CloseInfo>((resolve) => connection.onClose(resolve));
    readable.destroy();
    expect(await closed).toEqual({ reason: 'peer' });
  });

  it('keeps calling close listeners when one throws, and logs it', async () => {
    const log = new RecordingLogger();
    const { connection } = single({ logger: log });
    const seen: string[] = [];
    connection.onClose(() => {
      throw new Error('listener bug');
    });
    connection.onClose(() => seen.push('second'));
    connection.close();
    connection.onClose(() => {
      throw new Error('late listener bug');
    });
    await settle();
    expect(seen).toEqual(['second']);
    expect(log.warnings.map((entry) => entry.msg)).toEqual(['a close listener threw; carrying on', 'a close listener threw; carrying on']);
  });

  it('does not call a late close listener that was disposed', async () => {
    const { connection } = single();
    connection.close();
    const seen: CloseInfo[] = [];
    const subscription = connection.onClose((info) => seen.push(info));
    subscription.dispose();
    await settle();
    expect(seen).toEqual([]);
  });
});

describe('Connection streams', () => {
  it('leaves streams it does not own alone when it closes', () => {
    const { connection, readable, writable } = single();
    connection.close();
    expect(readable.destroyed).toBe(false);
    expect(writable.destroyed).toBe(false);
    expect(writable.writableEnded).toBe(false);
  });

  it('destroys both streams it owns, and keeps a listener for a late stream error', () => {
    const log = new RecordingLogger();
    const { connection, readable, writable } = single({ ownsStreams: true, logger: log });
    connection.close();
    expect(readable.destroyed).toBe(true);
    expect(writable.destroyed).toBe(true);
    const late = new Error('late');
    expect(() => readable.emit('error', late)).not.toThrow();
    expect(() => writable.emit('error', late)).not.toThrow();
    expect(log.debugs.filter((entry) => entry.msg === 'stream error')).toHaveLength(2);
  });

  it('answers in flight but does not end a writable it does not own when the peer ends', async () => {
    const { clientToServer, serverToClient, server } = open();
    const closed = new Promise<CloseInfo>((resolve) => server.onClose(resolve));
    clientToServer.end();
    expect(await closed).toEqual({ reason: 'peer' });
    expect(serverToClient.writableEnded).toBe(false);
  });

  it('ends a writable it owns when the peer ends', async () => {
    const { connection, readable, writable } = single({ ownsStreams: true });
    const closed = new Promise<CloseInfo>((resolve) => connection.onClose(resolve));
    writable.resume();
    readable.end();
    expect(await closed).toEqual({ reason: 'peer' });
    expect(writable.writableEnded).toBe(true);
  });
});

describe('Connection closeAfterFlush', () => {
  it('takes no new requests while closing, says so, and returns one promise', async () => {
    const log = new RecordingLogger();
    const { connection, readable } = single({ logger: log, label: 'f1' });
    const pending = connection.request(Slow, { ms: 0 }).catch((error: unknown) => error);
    const flushing = connection.closeAfterFlush();
    expect(connection.closeAfterFlush()).toBe(flushing);
    expect(connection.closed).toBe(true);
    expect(connection.closeReason).toBeUndefined();
    expect(await pending).toMatchObject({ code: 'connection_closed', message: 'Request "test.slow" (id 0) on f1 got no response: the connection is closing.' });
    await expect(connection.request(Echo, { n: 1 })).rejects.toMatchObject({
      message: 'Cannot send request "test.echo" on f1: the connection is closing. Open a new connection.',
    });
    readable.write('{"method":"test.ping","params":{"seq":1}}\n');
    await flushing;
    expect(connection.closeReason).toBe('local');
    await expect(connection.closeAfterFlush()).resolves.toBeUndefined();
  });

  it('ignores messages that arrive while closing, at debug', async () => {
    const log = new RecordingLogger();
    const { connection, readable, writable } = single({ logger: log });
    let release!: () => void;
    connection.handle(Slow, () => new Promise<{ done: true }>((resolve) => (release = () => resolve({ done: true }))));
    const lines = collectLines(writable);
    readable.write('{"id":0,"method":"test.slow","params":{"ms":0}}\n');
    await until(() => release !== undefined);
    const flushing = connection.closeAfterFlush();
    readable.write('{"id":1,"method":"test.slow","params":{"ms":0}}\n');
    await until(() => log.debugs.some((entry) => entry.msg === 'message ignored: the connection is closing'));
    release();
    await flushing;
    expect(lines).toEqual([{ id: 0, result: { done: true } }]);
  });

  it('gives up waiting for a handler after the request timeout', async () => {
    const { connection } = single({ requestTimeoutMs: 20 });
    connection.handle(Slow, () => new Promise<{ done: true }>(() => undefined));
    const readable = streams[0];
    readable?.write('{"id":0,"method":"test.slow","params":{"ms":0}}\n');
    await settle();
    await connection.closeAfterFlush();
    expect(connection.closeReason).toBe('local');
  });

  it('waits for its answers even when the peer hangs up while it flushes', async () => {
    const { connection, readable, writable } = single();
    let release!: () => void;
    connection.handle(Slow, () => new Promise<{ done: true }>((resolve) => (release = () => resolve({ done: true }))));
    const lines = collectLines(writable);
    readable.write('{"id":0,"method":"test.slow","params":{"ms":0}}\n');
    await until(() => release !== undefined);
    const flushing = connection.closeAfterFlush();
    readable.destroy();
    await settle();
    expect(connection.closeReason).toBeUndefined();
    release();
    await flushing;
    expect(connection.closeReason).toBe('local');
    expect(lines).toEqual([{ id: 0, result: { done: true } }]);
  });

  it('leaves no timer behind once flushed', async () => {
    jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] });
    const { connection, writable } = single();
    writable.resume();
    await connection.closeAfterFlush();
    expect(connection.closeReason).toBe('local');
    expect(jest.getTimerCount()).toBe(0);
  });
});
