import { afterEach, describe, expect, it } from '@jest/globals';
import { writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { findHome } from '../src/cli/find-home.js';
import { loadConfig } from '../src/config/load-config.js';
import { resolveHome } from '../src/home/resolve-home.js';
import { TempDirs } from '../../../tests/helpers/temp-dir.js';

const temp = new TempDirs();
afterEach(() => temp.cleanup());

describe('resolveHome', () => {
  it('takes the flag first, then a non-empty REPOVISOR_HOME, both relative to the working folder, without reading the file', async () => {
    const unread = () => {
      throw new Error('the file must not be read');
    };
    expect(await resolveHome({ flag: 'a', env: { REPOVISOR_HOME: '/b' }, file: '/c/repos.yaml', homeSetting: unread })).toBe(resolve('a'));
    expect(await resolveHome({ env: { REPOVISOR_HOME: 'b' }, file: '/c/repos.yaml', homeSetting: unread })).toBe(resolve('b'));
  });

  it("then the file's supervisor.home relative to its folder, else .repovisor beside it, else ./.repovisor", async () => {
    expect(await resolveHome({ env: { REPOVISOR_HOME: '' }, file: '/c/repos.yaml', homeSetting: () => '../state' })).toBe('/state');
    expect(await resolveHome({ env: {}, file: '/c/repos.yaml', homeSetting: () => undefined })).toBe('/c/.repovisor');
    expect(await resolveHome({ env: {}, file: '/c/repos.yaml' })).toBe('/c/.repovisor');
    expect(await resolveHome({ env: {} })).toBe(resolve('.repovisor'));
  });
});

describe('the start command and the client commands', () => {
  it.each([
    ['names a home', 'supervisor:\n  home: ./state-home\nrepos: []\n', {}],
    ['names none', 'repos: []\n', {}],
    ['is overridden by REPOVISOR_HOME', 'supervisor:\n  home: ./ignored\nrepos: []\n', { REPOVISOR_HOME: 'from-env' }],
    ['has an empty REPOVISOR_HOME', 'supervisor:\n  home: ./state-home\nrepos: []\n', { REPOVISOR_HOME: '' }],
  ])('find the same home when the file %s', async (_case, text, env: NodeJS.ProcessEnv) => {
    const folder = await temp.make();
    const file = join(folder, 'repos.yaml');
    await writeFile(file, text);
    const started = (await loadConfig(file, env)).settings.home;
    expect(await findHome({ config: file }, env)).toBe(started);
  });
});
