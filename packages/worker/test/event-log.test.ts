import { afterEach, describe, expect, it } from '@jest/globals';
import { appendFile, readFile, readdir } from 'node:fs/promises';
import { EventBus, EventLog } from '@repovisor/worker';
import type { RuntimeEvent } from '@repovisor/worker';
import { TempDirs } from '../../../tests/helpers/temp-dir.js';

const temp = new TempDirs();
afterEach(() => temp.cleanup());

function event(seq: number, at = new Date().toISOString()): RuntimeEvent {
  return { seq, type: 'test.event', at, slug: 'acme/alpha', session: null, data: { padding: 'x'.repeat(100) } };
}

describe('EventLog', () => {
  it('appends JSON lines in order and reads them back as history', async () => {
    const folder = await temp.make();
    const { log, history } = await EventLog.open({ folder });
    expect(history).toEqual([]);
    await Promise.all([1, 2, 3].map((seq) => log.append(event(seq))));
    const lines = (await readFile(log.path, 'utf8')).trim().split('\n');
    expect(lines.map((line) => (JSON.parse(line) as RuntimeEvent).seq)).toEqual([1, 2, 3]);
    const again = await EventLog.open({ folder });
    expect(again.history.map((entry) => entry.seq)).toEqual([1, 2, 3]);
  });

  it('skips a torn or corrupt line on load and reports it', async () => {
    const folder = await temp.make();
    const { log } = await EventLog.open({ folder });
    await log.append(event(1));
    await appendFile(log.path, '{"seq":2,"type":"half');
    const corrupt: number[] = [];
    const again = await EventLog.open({ folder, onCorruptLine: (line) => corrupt.push(line) });
    expect(again.history.map((entry) => entry.seq)).toEqual([1]);
    expect(corrupt).toEqual([2]);
  });

  it('rotates by size and keeps at most maxFiles rotated files', async () => {
    const folder = await temp.make();
    const { log } = await EventLog.open({ folder, maxBytes: 1000, maxFiles: 2 });
    for (let seq = 1; seq <= 40; seq += 1) await log.append(event(seq));
    const rotated = await log.rotatedFiles();
    expect(rotated).toHaveLength(2);
    const live = await readFile(log.path, 'utf8');
    expect(Buffer.byteLength(live)).toBeLessThanOrEqual(1000);
    expect((await readdir(folder)).filter((name) => name.endsWith('.jsonl'))).toHaveLength(3);
    const lastLine = live.trim().split('\n').at(-1) ?? '';
    expect((JSON.parse(lastLine) as RuntimeEvent).seq).toBe(40);
  });

  it('rotates by age once the live file holds an event older than maxAgeMs', async () => {
    const folder = await temp.make();
    let now = Date.parse('2026-01-01T00:00:00Z');
    const { log } = await EventLog.open({ folder, maxAgeMs: 60_000, now: () => now });
    await log.append(event(1, new Date(now).toISOString()));
    now += 30_000;
    await log.append(event(2, new Date(now).toISOString()));
    expect(await log.rotatedFiles()).toHaveLength(0);
    now += 60_000;
    await log.append(event(3, new Date(now).toISOString()));
    expect(await log.rotatedFiles()).toHaveLength(1);
    const live = (await readFile(log.path, 'utf8')).trim().split('\n');
    expect(live.map((line) => (JSON.parse(line) as RuntimeEvent).seq)).toEqual([3]);
  });
});

describe('EventBus', () => {
  it('stamps, stores and delivers events, and a throwing subscriber does not stop the others', async () => {
    const folder = await temp.make();
    const { log } = await EventLog.open({ folder });
    const errors: string[] = [];
    const bus = new EventBus({ slug: 'acme/alpha', log, onError: (_error, where) => errors.push(where) });
    const got: string[] = [];
    bus.subscribe(() => {
      throw new Error('bad subscriber');
    });
    const subscription = bus.subscribe((published) => got.push(published.type));
    bus.publish('one', { a: 1 });
    subscription.dispose();
    subscription.dispose();
    bus.publish('two');
    await bus.flush();
    expect(got).toEqual(['one']);
    expect(errors).toEqual(['subscriber', 'subscriber']);
    expect(bus.recent().map((published) => [published.seq, published.type])).toEqual([
      [1, 'one'],
      [2, 'two'],
    ]);
    const stored = (await readFile(log.path, 'utf8')).trim().split('\n');
    expect(stored).toHaveLength(2);
  });
});
