import { afterEach, describe, expect, it } from '@jest/globals';
import { PassThrough } from 'node:stream';
import type { LineReaderCloseInfo, LineResult } from '../src/index.js';
import { LineReader, LineTooLongError } from '../src/index.js';
import { settle } from './helpers.js';

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
