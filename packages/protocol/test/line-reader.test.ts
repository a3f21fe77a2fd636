import { afterEach, describe, expect, it } from '@jest/globals';
import { PassThrough } from 'node:stream';
import type { LineReaderCloseInfo, LineResult } from '../src/line-reader.js';
import { LineReader, LineTooLongError } from '../src/line-reader.js';
import { settle } from './specs.js';

const streams: PassThrough[] = [];

afterEach(() => {
  for (const stream of streams.splice(0)) stream.destroy();
});

function reading(maxLineBytes?: number): { stream: PassThrough; reader: LineReader; lines: LineResult[]; closes: LineReaderCloseInfo[] } {
  const stream = new PassThrough();
  streams.push(stream);
  const reader = new LineReader(stream, maxLineBytes === undefined ? {} : { maxLineBytes });
  const lines: LineResult[] = [];
  const closes: LineReaderCloseInfo[] = [];
  reader.onClose((info) => closes.push(info));
  reader.listen((line) => lines.push(line));
  return { stream, reader, lines, closes };
}

describe('LineReader', () => {
  it('splits on newlines across chunks, tolerates \\r\\n and skips blank lines', async () => {
    const { stream, lines } = reading();
    stream.write('{"a":');
    stream.write('1}\r\n\n[2');
    stream.write(']\n"é');
    stream.write(Buffer.from('"\n'));
    await settle();
    expect(lines).toEqual([
      { ok: true, value: { a: 1 } },
      { ok: true, value: [2] },
      { ok: true, value: 'é' },
    ]);
  });

  it('decodes a multi-byte character split across chunks', async () => {
    const { stream, lines } = reading();
    const bytes = Buffer.from('"€"\n');
    stream.write(bytes.subarray(0, 2));
    stream.write(bytes.subarray(2));
    await settle();
    expect(lines).toEqual([{ ok: true, value: '€' }]);
  });

  it('reports a line that is not JSON and carries on', async () => {
    const { stream, lines } = reading();
    stream.write('nope\n1\n');
    await settle();
    expect(lines[0]).toMatchObject({ ok: false, reason: 'parse_error', line: 'nope' });
    expect(lines[1]).toEqual({ ok: true, value: 1 });
  });

  it('accepts a line of exactly the limit and stops at the first byte past it', async () => {
    const { stream, lines, closes } = reading(8);
    stream.write('"123456"\n');
    stream.write('"1234');
    stream.write('5678"\n2\n');
    await settle();
    expect(lines).toEqual([{ ok: true, value: '123456' }]);
    expect(closes).toHaveLength(1);
    expect(closes[0]?.reason).toBe('line_too_long');
    expect(closes[0]?.error).toBeInstanceOf(LineTooLongError);
  });

  it('stops on a long line inside a single chunk that also holds newlines', async () => {
    const { stream, lines, closes } = reading(4);
    stream.write('1\n123456789\n2\n');
    await settle();
    expect(lines).toEqual([{ ok: true, value: 1 }]);
    expect(closes.map((c) => c.reason)).toEqual(['line_too_long']);
  });

  it('reports the end of the stream with the size of a discarded partial line', async () => {
    const { stream, lines, closes } = reading();
    stream.end('1\n{"half":');
    await settle();
    expect(lines).toEqual([{ ok: true, value: 1 }]);
    expect(closes).toEqual([{ reason: 'end', partialLineBytes: 8 }]);
  });

  it('reads a last line cut off by the end of the stream only when told to', async () => {
    const stream = new PassThrough();
    streams.push(stream);
    const reader = new LineReader(stream, { readUnterminatedLastLine: true });
    const lines: LineResult[] = [];
    const closes: LineReaderCloseInfo[] = [];
    reader.onClose((info) => closes.push(info));
    reader.listen((line) => lines.push(line));
    stream.end('1\n{"half":');
    await settle();
    expect(lines).toMatchObject([{ ok: true, value: 1 }, { ok: false, reason: 'parse_error', line: '{"half":' }]);
    expect(closes).toEqual([{ reason: 'end', partialLineBytes: 0 }]);
  });

  it('reports a stream error once', async () => {
    const { stream, reader, closes } = reading();
    const errors: Error[] = [];
    reader.onError((error) => errors.push(error));
    stream.destroy(new Error('boom'));
    await settle();
    expect(closes.map((c) => c.reason)).toEqual(['error']);
    expect(closes[0]?.error?.message).toBe('boom');
    expect(errors.map((error) => error.message)).toEqual(['boom']);
  });

  it('detaches on dispose without destroying the stream, and disposing twice is safe', async () => {
    const { stream, reader, lines, closes } = reading();
    reader.dispose();
    reader.dispose();
    stream.write('1\n');
    await settle();
    expect(lines).toEqual([]);
    expect(closes).toEqual([]);
    expect(stream.destroyed).toBe(false);
    expect(stream.listenerCount('data')).toBe(0);
  });
});

describe('LineReader details', () => {
  it('refuses a limit that is not a positive whole number', () => {
    const stream = new PassThrough();
    streams.push(stream);
    for (const maxLineBytes of [0, -1, 1.5, Number.NaN]) {
      expect(() => new LineReader(stream, { maxLineBytes })).toThrow(new RangeError(`maxLineBytes must be a positive integer, got ${maxLineBytes}.`));
    }
    expect(() => new LineReader(stream, { maxLineBytes: 1 })).not.toThrow();
  });

  it('says how long the line got, the limit, and how to fix it', async () => {
    const { stream, closes } = reading(5);
    stream.write('123');
    stream.write('4567');
    await settle();
    expect(closes).toHaveLength(1);
    const error = closes[0]?.error as LineTooLongError;
    expect(error).toMatchObject({ name: 'LineTooLongError', maxLineBytes: 5, receivedBytes: 7 });
    expect(error.message).toBe(
      'Line too long: received 7 bytes without a newline, more than the limit of 5. Send one JSON message per line, or raise maxLineBytes on both sides.',
    );
    expect(closes[0]?.partialLineBytes).toBe(3);
  });

  it('counts a partial line over several chunks, and only its bytes', async () => {
    const { stream, closes, lines } = reading(10);
    stream.write('1\n12');
    stream.write('34');
    stream.write('5678');
    await settle();
    expect(closes).toEqual([]);
    stream.write('9\n');
    await settle();
    expect(lines).toEqual([{ ok: true, value: 1 }, { ok: true, value: 123456789 }]);
    stream.end('"é');
    await settle();
    expect(closes).toEqual([{ reason: 'end', partialLineBytes: 3 }]);
  });

  it('reads string chunks as UTF-8, and strips only a final carriage return', async () => {
    const { stream, lines } = reading();
    stream.setEncoding('utf8');
    stream.write('" a\\r"\r\n  \r\n\t\n"b"\n');
    await settle();
    expect(lines).toEqual([
      { ok: true, value: ' a\r' },
      { ok: true, value: 'b' },
    ]);
  });

  it('keeps the text and the parse error of a bad line', async () => {
    const { stream, lines } = reading();
    stream.write('{"a":\n');
    await settle();
    expect(lines).toHaveLength(1);
    const line = lines[0];
    expect(line?.ok).toBe(false);
    if (line !== undefined && !line.ok) {
      expect(line.line).toBe('{"a":');
      expect(line.error).toBeInstanceOf(SyntaxError);
    }
  });

  it('refuses a second listener', () => {
    const { reader } = reading();
    expect(() => reader.listen(() => undefined)).toThrow('LineReader.listen was called twice; a reader has a single listener.');
  });

  it('reports closed, with the partial line, when the stream is destroyed without ending', async () => {
    const { stream, reader, closes } = reading();
    stream.write('{"half');
    await settle();
    expect(reader.stopped).toBe(false);
    stream.destroy();
    await settle();
    expect(closes).toEqual([{ reason: 'closed', partialLineBytes: 6 }]);
    expect(reader.stopped).toBe(true);
  });

  it('reports closed at once for a stream already destroyed', async () => {
    const stream = new PassThrough();
    streams.push(stream);
    stream.destroy();
    await settle();
    const reader = new LineReader(stream);
    const closes: LineReaderCloseInfo[] = [];
    reader.onClose((info) => closes.push(info));
    reader.listen(() => undefined);
    await settle();
    expect(closes).toEqual([{ reason: 'closed', partialLineBytes: 0 }]);
  });

  it('stops listening once closed: later data, ends and errors are ignored, onClose fires once', async () => {
    const { stream, reader, lines, closes } = reading(4);
    const errors: Error[] = [];
    reader.onError((error) => errors.push(error));
    stream.write('123456\n1\n');
    await settle();
    expect(closes.map((c) => c.reason)).toEqual(['line_too_long']);
    stream.write('2\n');
    stream.end();
    await settle();
    expect(lines).toEqual([]);
    expect(closes).toHaveLength(1);
    expect(stream.listenerCount('data')).toBe(0);
    expect(stream.listenerCount('end')).toBe(0);
    expect(stream.listenerCount('close')).toBe(0);
    expect(stream.listenerCount('error')).toBe(0);
  });

  it('fires no onClose and no onError after dispose', async () => {
    const { stream, reader, closes } = reading();
    const errors: Error[] = [];
    reader.onError((error) => errors.push(error));
    reader.dispose();
    expect(reader.stopped).toBe(true);
    stream.on('error', () => undefined);
    stream.destroy(new Error('late'));
    await settle();
    expect(closes).toEqual([]);
    expect(errors).toEqual([]);
  });

  it('strips a carriage return only at the end of a line, keeping it in the text of a bad line', async () => {
    const { stream, lines } = reading();
    stream.write('\r2\nnope\r\n');
    await settle();
    expect(lines[0]).toEqual({ ok: true, value: 2 });
    expect(lines[1]).toMatchObject({ ok: false, line: 'nope' });
  });

  it('detaches through the disposable that listen returns', async () => {
    const stream = new PassThrough();
    streams.push(stream);
    const reader = new LineReader(stream);
    const lines: LineResult[] = [];
    const subscription = reader.listen((line) => lines.push(line));
    subscription.dispose();
    expect(reader.stopped).toBe(true);
    stream.write('1\n');
    await settle();
    expect(lines).toEqual([]);
    expect(stream.listenerCount('data')).toBe(0);
  });
});
