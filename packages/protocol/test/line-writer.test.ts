import { afterEach, describe, expect, it } from '@jest/globals';
import { PassThrough } from 'node:stream';
import { LineWriter } from '../src/index.js';
import { collectLines, settle } from './helpers.js';

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
