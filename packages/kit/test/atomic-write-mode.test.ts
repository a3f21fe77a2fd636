import { afterEach, describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { REPO_ROOT } from '../../../tests/helpers/paths.js';
import { TempDirs } from '../../../tests/helpers/temp-dir.js';

const run = promisify(execFile);
const temp = new TempDirs();
afterEach(() => temp.cleanup());

// Each write runs in a process of its own under the umask given (the test's own umask is left alone).
async function writeUnder(umask: string, path: string, mode: number | undefined): Promise<number> {
  // The built module (npm run build), as the worker and the supervisor run it.
  const script = [
    "import(require('node:url').pathToFileURL(process.argv[1]).href)",
    `  .then(({ writeFileAtomic }) => writeFileAtomic(process.argv[2], 'x', ${mode === undefined ? '{}' : `{ mode: ${mode} }`}))`,
    '  .catch((error) => { console.error(error); process.exit(1); });',
  ].join('\n');
  const bundle = join(REPO_ROOT, 'packages', 'kit', 'dist', 'atomic-write.js');
  await run('/bin/sh', ['-c', `umask ${umask} && exec "$0" -e "$1" "$2" "$3"`, process.execPath, script, bundle, path]);
  return (await stat(path)).mode & 0o777;
}

describe('writeFileAtomic and the umask', () => {
  it('gives a file exactly the mode asked for, whatever the umask', async () => {
    const folder = await temp.make();
    expect(await writeUnder('000', join(folder, 'a'), 0o600)).toBe(0o600);
    expect(await writeUnder('277', join(folder, 'b'), 0o600)).toBe(0o600);
    // Replacing a wider file gives the new mode, not the old one's.
    await writeFile(join(folder, 'c'), 'old', { mode: 0o666 });
    expect(await writeUnder('000', join(folder, 'c'), 0o600)).toBe(0o600);
  });

  it('without a mode, makes 0644 less the umask', async () => {
    const folder = await temp.make();
    expect(await writeUnder('022', join(folder, 'a'), undefined)).toBe(0o644);
    expect(await writeUnder('077', join(folder, 'b'), undefined)).toBe(0o600);
  });
});
