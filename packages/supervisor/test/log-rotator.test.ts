import { afterEach, describe, expect, it } from '@jest/globals';
import { closeSync, openSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { pino } from 'pino';
import { LogRotator } from '../src/launch/log-rotator.js';
import { ChildProcesses } from '../../../tests/helpers/child-processes.js';
import { TempDirs } from '../../../tests/helpers/temp-dir.js';
import { waitFor } from '../../../tests/helpers/wait-for.js';

const temp = new TempDirs();
const children = new ChildProcesses();

afterEach(async () => {
  await children.killAll();
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

describe('LogRotator', () => {
  it('keeps a chatty writer log near its limit, keeping the configured number of rotated copies', async () => {
    const folder = await temp.make();
    const file = join(folder, 'acme-alpha.log');
    chattyWriter(file);
    const rotator = new LogRotator({ maxBytes: 64 * 1024, keep: 2, files: () => [file], logger: pino({ level: 'silent' }) });
    let rotations = 0;
    while (rotations < 4) {
      await waitFor('the log to pass its limit', async () => (await stat(file)).size > 64 * 1024);
      if (await rotator.rotateIfNeeded(file)) rotations += 1;
    }
    expect((await stat(`${file}.1`)).size).toBeGreaterThan(64 * 1024);
    expect((await stat(`${file}.2`)).size).toBeGreaterThan(64 * 1024);
    await expect(stat(`${file}.3`)).rejects.toMatchObject({ code: 'ENOENT' });
    // The writer carries on in the truncated file, from its start: no hole of NUL bytes.
    await waitFor('new lines after the rotation', async () => (await stat(file)).size > 0);
    const text = await readFile(file, 'utf8');
    expect(text.charCodeAt(0)).not.toBe(0);
    expect(text.includes('\u0000')).toBe(false);
  });

  it('leaves a log under its limit alone and ignores a missing file', async () => {
    const folder = await temp.make();
    const file = join(folder, 'quiet.log');
    const rotator = new LogRotator({ maxBytes: 1024, files: () => [file, join(folder, 'missing.log')], logger: pino({ level: 'silent' }) });
    const { writeFile } = await import('node:fs/promises');
    await writeFile(file, 'small\n');
    await rotator.checkAll();
    expect(await readFile(file, 'utf8')).toBe('small\n');
    await expect(stat(`${file}.1`)).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
