import { afterEach, describe, expect, it } from '@jest/globals';
import { PassThrough, Writable } from 'node:stream';
import { LineWriter } from '../src/line-writer.js';
import { collectLines, settle } from './specs.js';

const streams: PassThrough[] = [];

afterEach(() => {
  for (const stream of streams.splice(0)) stream.destroy();
});

function writing(): { stream: PassThrough; writer: LineWriter; lines: unknown[] } {
  const stream = new PassThrough();
  streams.push(stream);
  return { stream, writer: new LineWriter(stream), lines: collectLines(stream) };
}

describe('LineWriter', () => {
  it('writes one JSON value per line', async () => {
    const { writer, lines } = writing();
    expect(writer.write({ a: 1 })).toEqual({ ok: true });
    expect(writer.write('line\nbreak')).toEqual({ ok: true });
    await settle();
    expect(lines).toEqual([{ a: 1 }, 'line\nbreak']);
  });

  it('stays open and reports nothing after writes that went through', async () => {
    const { writer } = writing();
    const errors: Error[] = [];
    writer.onError((error) => errors.push(error));
    writer.write(1);
    writer.write(2);
    await settle();
    expect(errors).toEqual([]);
    expect(writer.closed).toBe(false);
    expect(writer.write(3)).toEqual({ ok: true });
  });

  it('refuses values that are not JSON without writing anything', async () => {
    const { writer, lines } = writing();
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(writer.write(1n)).toMatchObject({ ok: false, reason: 'unserializable' });
    expect(writer.write(cyclic)).toMatchObject({ ok: false, reason: 'unserializable' });
    expect(writer.write(undefined)).toMatchObject({ ok: false, reason: 'unserializable' });
    await settle();
    expect(lines).toEqual([]);
  });

  it('returns a closed failure after the stream ended or was destroyed, without throwing', async () => {
    const { stream, writer } = writing();
    await writer.end();
    const afterEnd = writer.write({ late: true });
    expect(afterEnd).toMatchObject({ ok: false, reason: 'closed' });
    expect(afterEnd.ok ? '' : afterEnd.error.message).toMatch(/ended|destroyed/);
    stream.destroy();
    expect(writer.write(1)).toMatchObject({ ok: false, reason: 'closed' });
    expect(writer.closed).toBe(true);
  });

  it('reports a stream error to onError once', async () => {
    const { stream, writer } = writing();
    const errors: Error[] = [];
    writer.onError((error) => errors.push(error));
    stream.destroy(new Error('EPIPE'));
    await settle();
    expect(errors.map((error) => error.message)).toEqual(['EPIPE']);
    expect(writer.write(1)).toMatchObject({ ok: false, reason: 'closed' });
  });

  it('detaches on dispose without ending the stream, and disposing twice is safe', () => {
    const { stream, writer } = writing();
    writer.dispose();
    writer.dispose();
    expect(writer.write(1)).toMatchObject({ ok: false, reason: 'closed' });
    expect(stream.writableEnded).toBe(false);
    expect(stream.listenerCount('error')).toBe(0);
  });
});

function messageOf(result: ReturnType<LineWriter['write']>): string {
  return result.ok ? '' : result.error.message;
}

describe('LineWriter details', () => {
  it('says why a write cannot go out: ended, destroyed, failed or disposed', async () => {
    const ended = writing();
    ended.stream.end();
    expect(ended.writer.closed).toBe(true);
    expect(messageOf(ended.writer.write(1))).toBe('Cannot write a line: the stream is ended.');

    const destroyed = writing();
    destroyed.stream.destroy();
    expect(destroyed.writer.closed).toBe(true);
    expect(messageOf(destroyed.writer.write(1))).toBe('Cannot write a line: the stream is destroyed.');

    const failed = writing();
    const failure = new Error('EPIPE');
    failed.writer.onError(() => undefined);
    failed.stream.emit('error', failure);
    expect(failed.stream.destroyed).toBe(false);
    expect(failed.writer.closed).toBe(true);
    const afterFailure = failed.writer.write(1);
    expect(messageOf(afterFailure)).toBe('Cannot write a line: the stream is failed (EPIPE).');
    expect(afterFailure.ok ? undefined : afterFailure.error.cause).toBe(failure);

    const disposed = writing();
    disposed.writer.dispose();
    expect(disposed.writer.closed).toBe(true);
    expect(messageOf(disposed.writer.write(1))).toBe('Cannot write a line: the stream is detached from this writer (disposed).');
    await settle();
  });

  it('is open on a fresh stream', () => {
    expect(writing().writer.closed).toBe(false);
  });

  it('says why a value is not JSON', () => {
    const { writer } = writing();
    const big = writer.write({ n: 1n });
    expect(big).toMatchObject({ ok: false, reason: 'unserializable' });
    expect(big.ok ? undefined : big.error).toBeInstanceOf(TypeError);
    expect(messageOf(big)).toMatch(/^Cannot write a line: the value is not serializable as JSON \(.*BigInt.*\)\.$/);
    expect(messageOf(writer.write(() => 1))).toBe('Cannot write a line: JSON.stringify gives nothing for a value of type function.');
    expect(messageOf(writer.write(Symbol('s')))).toBe('Cannot write a line: JSON.stringify gives nothing for a value of type symbol.');
    const thrown = writer.write({
      toJSON(): never {
        const notAnError: unknown = 'not an Error';
        throw notAnError;
      },
    });
    expect(messageOf(thrown)).toBe('Cannot write a line: the value is not serializable as JSON (not an Error).');
    expect(thrown.ok ? undefined : thrown.error.cause).toBe('not an Error');
  });

  it('reports a failed write once, through its callback and the error event', async () => {
    const failure = new Error('disk gone');
    const stream = new Writable({
      write(_chunk, _encoding, callback): void {
        callback(failure);
      },
    });
    const writer = new LineWriter(stream);
    const errors: Error[] = [];
    writer.onError((error) => errors.push(error));
    expect(writer.write({ a: 1 })).toEqual({ ok: true });
    await settle();
    expect(errors).toEqual([failure]);
    expect(writer.closed).toBe(true);
    writer.dispose();
  });

  it('ends after the buffered lines are flushed, and resolves at once when already finished or destroyed', async () => {
    const { stream, writer, lines } = writing();
    writer.write({ last: true });
    await writer.end();
    expect(stream.writableFinished).toBe(true);
    expect(lines).toEqual([{ last: true }]);
    await writer.end();

    const gone = writing();
    gone.stream.destroy();
    await gone.writer.end();
    expect(gone.stream.writableEnded).toBe(false);
  });

  it('waits for a stream already ending to finish, without ending it twice', async () => {
    const { stream, writer } = writing();
    stream.end('{"x":1}\n');
    expect(stream.writableFinished).toBe(false);
    await writer.end();
    expect(stream.writableFinished).toBe(true);
  });

  it('ends once the written side has finished, even when nobody reads the other side', async () => {
    const stream = new PassThrough();
    streams.push(stream);
    const writer = new LineWriter(stream);
    writer.write({ unread: true });
    await writer.end();
    expect(stream.writableFinished).toBe(true);
    expect(stream.readableEnded).toBe(false);
  });
});
