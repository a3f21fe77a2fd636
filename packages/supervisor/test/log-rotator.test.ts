import { afterEach, describe, expect, it } from '@jest/globals';
import { closeSync, openSync } from 'node:fs';
import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { pino } from 'pino';
import { LogRotator, logFileAndCopies } from '../src/launch/log-rotator.js';
import { ChildProcesses } from '../../../tests/helpers/child-processes.js';
import { freeBytes, SmallTmpfs } from '../../../tests/helpers/small-tmpfs.js';
import { TempDirs } from '../../../tests/helpers/temp-dir.js';
import { waitFor } from '../../../tests/helpers/wait-for.js';

const temp = new TempDirs();
const children = new ChildProcesses();
const tmpfs = new SmallTmpfs();

afterEach(async () => {
  await children.killAll();
  await tmpfs.unmountAll();
  await temp.cleanup();
});

// A chatty process writing to its log the way workers do: the file itself as stdout, opened O_APPEND.
function chattyWriter(file: string) {
  const fd = openSync(file, 'a', 0o600);
  const script = "let n = 0; setInterval(() => { for (let i = 0; i < 20; i++) process.stdout.write(JSON.stringify({ n: n++, pad: 'x'.repeat(200) }) + '\\n'); }, 1);";
  const child = children.start(process.execPath, ['-e', script], { stdio: ['ignore', fd, 'ignore'] });
  closeSync(fd);
  return child;
}

// As fast as it can for `ms`, then exits; after each write it reports on stderr `<Date.now()> <bytes written so far>`.
const FLOODER = `
const { writeSync } = require('node:fs');
const line = JSON.stringify({ msg: 'flood', pad: 'x'.repeat(1000) }) + '\\n';
const chunk = Buffer.from(line.repeat(16));
const until = Date.now() + Number(process.argv[1]);
let written = 0;
while (Date.now() < until) {
  written += writeSync(1, chunk);
  writeSync(2, Date.now() + ' ' + written + '\\n');
}
`;

/** Bytes written by the flooder by a time, read from its progress reports. */
function progress(stderr: string): { atMost: (time: number) => number; atLeast: (time: number) => number } {
  const reports = stderr
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => line.split(' ').map(Number) as [number, number]);
  const total = reports.at(-1)?.[1] ?? 0;
  return {
    // Reported strictly before `time` (ms clocks): written by then.
    atMost: (time) => reports.filter(([at]) => at < time).at(-1)?.[1] ?? 0,
    // The first report strictly after `time`: at least what was written by then.
    atLeast: (time) => reports.find(([at]) => at > time)?.[1] ?? total,
  };
}

async function sizeOf(file: string): Promise<number> {
  return (await stat(file).catch(() => undefined))?.size ?? 0;
}

/** A logger whose lines the test can read. */
function recordingLogger(): { logger: pino.Logger; lines: () => { level: number; msg: string; err?: { code?: string } }[] } {
  let text = '';
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      text += chunk.toString();
      done();
    },
  });
  const logger = pino({ level: 'info' }, sink);
  return { logger, lines: () => text.split('\n').filter((line) => line !== '').map((line) => JSON.parse(line) as { level: number; msg: string }) };
}

describe('LogRotator', () => {
  it('keeps a chatty writer log near its limit, keeping the configured number of rotated copies, each at most the limit', async () => {
    const folder = await temp.make();
    const file = join(folder, 'acme-alpha.log');
    chattyWriter(file);
    const maxBytes = 64 * 1024;
    const rotator = new LogRotator({ maxBytes, keep: 2, files: () => [file], logger: pino({ level: 'silent' }) });
    let rotations = 0;
    while (rotations < 4) {
      await waitFor('the log to pass its limit', async () => (await stat(file)).size > maxBytes);
      if (await rotator.rotateIfNeeded(file)) rotations += 1;
    }
    for (const copy of [`${file}.1`, `${file}.2`]) {
      expect((await stat(copy)).size).toBeGreaterThan(maxBytes / 2);
      expect((await stat(copy)).size).toBeLessThanOrEqual(maxBytes);
      // The copy starts at a line start and ends at a line end: every line is whole JSON.
      for (const line of (await readFile(copy, 'utf8')).trimEnd().split('\n')) expect(() => JSON.parse(line) as unknown).not.toThrow();
    }
    await expect(stat(`${file}.3`)).rejects.toMatchObject({ code: 'ENOENT' });
    // The writer carries on in the truncated file, from its start: no hole of NUL bytes.
    await waitFor('new lines after the rotation', async () => (await stat(file)).size > 0);
    const text = await readFile(file, 'utf8');
    expect(text.charCodeAt(0)).not.toBe(0);
    expect(text.includes('\u0000')).toBe(false);
  });

  it('holds a flooded log and its copies within 4 × the limit plus what the writer wrote since the previous check', async () => {
    const folder = await temp.make();
    const file = join(folder, 'flood.log');
    const maxBytes = 256 * 1024;
    const intervalMs = 250;
    const fd = openSync(file, 'a', 0o600);
    const flooder = children.start(process.execPath, ['-e', FLOODER, '2500'], { stdio: ['ignore', fd, 'pipe'] });
    closeSync(fd);
    let ended = false;
    void flooder.exited.then(() => (ended = true));
    const rotator = new LogRotator({ maxBytes, files: () => [file], logger: pino({ level: 'silent' }) });

    // The checks are run here, one interval apart as the supervisor runs them, and the sizes sampled just before each.
    const samples: { sizes: number[]; sampledAt: number; previousCheckAt: number }[] = [];
    let previousCheckAt = Date.now();
    let rotations = 0;
    while (!ended) {
      const sizes: number[] = [];
      // The copies first: they change only in a check; the live log last, at `sampledAt`.
      for (const each of logFileAndCopies(file).reverse()) sizes.push(await sizeOf(each));
      samples.push({ sizes, sampledAt: Date.now(), previousCheckAt });
      previousCheckAt = Date.now();
      if (await rotator.rotateIfNeeded(file)) rotations += 1;
      await sleep(intervalMs);
    }
    await flooder.exited;

    const written = progress(flooder.stderr());
    expect(rotations).toBeGreaterThanOrEqual(3);
    for (const sample of samples) {
      const sum = sample.sizes.reduce((total, size) => total + size, 0);
      const since = written.atLeast(sample.sampledAt) - written.atMost(sample.previousCheckAt);
      expect({ sum, bound: sum <= 4 * maxBytes + since ? 'held' : `over 4 × ${maxBytes} + ${since}` }).toEqual({ sum, bound: 'held' });
      for (const copy of sample.sizes.slice(0, -1)) expect(copy).toBeLessThanOrEqual(maxBytes);
    }
  });

  it('truncates a log whose copy fails because the disk is full, so that the space comes back', async () => {
    const folder = await temp.make();
    const disk = 2 * 1024 * 1024;
    await tmpfs.mount(folder, disk);
    const file = join(folder, 'acme-alpha.log');
    const fd = openSync(file, 'a', 0o600);
    // Writes until the disk is full (ENOSPC ends it).
    const filler = children.start(process.execPath, ['-e', FLOODER, '60000'], { stdio: ['ignore', fd, 'ignore'] });
    closeSync(fd);
    expect((await filler.exited).code).not.toBe(0);
    expect(await freeBytes(folder)).toBeLessThan(64 * 1024);

    const { logger, lines } = recordingLogger();
    const maxBytes = 1024 * 1024;
    const rotator = new LogRotator({ maxBytes, files: () => [file], logger });
    expect(await sizeOf(file)).toBeGreaterThan(maxBytes);
    await rotator.checkAll();

    expect(await sizeOf(file)).toBe(0);
    // No partial copy holds on to the space.
    await expect(stat(`${file}.1`)).rejects.toMatchObject({ code: 'ENOENT' });
    expect(await freeBytes(folder)).toBeGreaterThan(disk - 64 * 1024);
    expect(lines()).toContainEqual(expect.objectContaining({ level: 40, msg: expect.stringMatching(/^the disk is full: truncated a worker log/), err: expect.objectContaining({ code: 'ENOSPC' }) }));
    // The log is usable again.
    await writeFile(file, 'after\n', { flag: 'a' });
    expect(await readFile(file, 'utf8')).toBe('after\n');
  });

  it('leaves a log under its limit alone and ignores a missing file', async () => {
    const folder = await temp.make();
    const file = join(folder, 'quiet.log');
    const rotator = new LogRotator({ maxBytes: 1024, files: () => [file, join(folder, 'missing.log')], logger: pino({ level: 'silent' }) });
    await writeFile(file, 'small\n');
    await rotator.checkAll();
    expect(await readFile(file, 'utf8')).toBe('small\n');
    await expect(stat(`${file}.1`)).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
