import { afterEach, describe, expect, it } from '@jest/globals';
import { chmod, mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { readOrCreateApiToken } from '../src/home/api-token.js';
import { HomeError, homePaths, prepareHome } from '../src/home/home-paths.js';
import { removePortFile, writePortFile } from '../src/home/port-file.js';
import { TempDirs } from '../../../tests/helpers/temp-dir.js';

const temp = new TempDirs();
afterEach(() => temp.cleanup());

async function modeOf(path: string): Promise<number> {
  return (await stat(path)).mode & 0o777;
}

describe('homePaths', () => {
  it('names every file under the home with absolute paths and path-safe slug keys', () => {
    const paths = homePaths('/srv/home/../repovisor');
    expect(paths).toMatchObject({
      home: '/srv/repovisor',
      state: '/srv/repovisor/supervisor-state.json',
      apiToken: '/srv/repovisor/api-token',
      pidFile: '/srv/repovisor/supervisor.pid',
      portFile: '/srv/repovisor/supervisor-port',
      logs: '/srv/repovisor/logs',
      repos: '/srv/repovisor/repos',
    });
    expect(paths.logFile('acme/alpha')).toBe('/srv/repovisor/logs/acme-alpha.log');
    expect(paths.dataRoot('acme/alpha')).toBe('/srv/repovisor/repos/acme-alpha');
    expect(paths.dataRoot('solo')).toBe('/srv/repovisor/repos/solo');
  });
});

describe('prepareHome', () => {
  it('creates the home, logs and repos folders with mode 0700', async () => {
    const home = join(await temp.make(), 'deep', 'home');
    const paths = await prepareHome(home);
    for (const folder of [paths.home, paths.logs, paths.repos]) expect(await modeOf(folder)).toBe(0o700);
  });

  it('tightens a home that already existed with a looser mode', async () => {
    const home = await temp.make();
    await chmod(home, 0o755);
    await prepareHome(home);
    expect(await modeOf(home)).toBe(0o700);
  });

  it('refuses a home that is a file', async () => {
    const file = join(await temp.make(), 'home');
    await writeFile(file, '');
    await expect(prepareHome(file)).rejects.toThrow(HomeError);
  });
});

describe('readOrCreateApiToken', () => {
  it('creates a 64-hex-character token in a 0600 file and returns the same one next time', async () => {
    const home = await temp.make();
    const token = await readOrCreateApiToken(home);
    expect(token).toMatch(/^[0-9a-f]{64}$/);
    expect(await modeOf(join(home, 'api-token'))).toBe(0o600);
    expect(await readOrCreateApiToken(home)).toBe(token);
  });

  it('hands every concurrent caller the same token', async () => {
    const home = await temp.make();
    const tokens = await Promise.all(Array.from({ length: 8 }, () => readOrCreateApiToken(home)));
    expect(new Set(tokens).size).toBe(1);
  });

  it('refuses a token file that other users may read, saying how to fix it', async () => {
    const home = await temp.make();
    await writeFile(join(home, 'api-token'), 'secret\n', { mode: 0o644 });
    await chmod(join(home, 'api-token'), 0o644);
    await expect(readOrCreateApiToken(home)).rejects.toThrow(`has mode 0644, so other users may read it; run 'chmod 600 ${join(home, 'api-token')}'`);
  });

  it('refuses an empty token file', async () => {
    const home = await temp.make();
    await writeFile(join(home, 'api-token'), '\n', { mode: 0o600 });
    await expect(readOrCreateApiToken(home)).rejects.toThrow('is empty');
  });

  it('refuses a token path that is a folder', async () => {
    const home = await temp.make();
    await mkdir(join(home, 'api-token'));
    await expect(readOrCreateApiToken(home)).rejects.toThrow('is not a regular file');
  });
});

describe('port file', () => {
  it('writes the port as a decimal line and removes it, twice without error', async () => {
    const home = await temp.make();
    await writePortFile(home, 43210);
    expect(await readFile(join(home, 'supervisor-port'), 'utf8')).toBe('43210\n');
    expect(await modeOf(join(home, 'supervisor-port'))).toBe(0o600);
    await removePortFile(home);
    await removePortFile(home);
    await expect(stat(join(home, 'supervisor-port'))).rejects.toThrow('ENOENT');
  });

  it('refuses a port that is not a bound TCP port', async () => {
    const home = await temp.make();
    await expect(writePortFile(home, 0)).rejects.toThrow(RangeError);
  });
});
