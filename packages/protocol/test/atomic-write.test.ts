import { afterEach, describe, expect, it } from '@jest/globals';
import { readFile, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../src/index.js';
import { TempDirs } from '../../../tests/helpers/temp-dir.js';

const temp = new TempDirs();
afterEach(() => temp.cleanup());

describe('writeFileAtomic', () => {
  it('writes the content with the mode asked for, and leaves no temporary file', async () => {
    const folder = await temp.make();
    const path = join(folder, 'state.json');
    await writeFileAtomic(path, '{"a":1}\n', { mode: 0o600 });
    expect(await readFile(path, 'utf8')).toBe('{"a":1}\n');
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect(await readdir(folder)).toEqual(['state.json']);
  });

  it('lets concurrent writes of one process to one file all succeed, the file holding one of them whole', async () => {
    const folder = await temp.make();
    const path = join(folder, 'state.json');
    const contents = Array.from({ length: 20 }, (_, index) => `${JSON.stringify({ index, pad: 'x'.repeat(index * 100) })}\n`);
    await Promise.all(contents.map((content) => writeFileAtomic(path, content)));
    expect(contents).toContain(await readFile(path, 'utf8'));
    expect(await readdir(folder)).toEqual(['state.json']);
  });

  it('replaces an existing file', async () => {
    const folder = await temp.make();
    const path = join(folder, 'state.json');
    await writeFileAtomic(path, 'old\n');
    await writeFileAtomic(path, 'new\n');
    expect(await readFile(path, 'utf8')).toBe('new\n');
  });
});
