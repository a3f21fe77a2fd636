import { afterEach, describe, expect, it } from '@jest/globals';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ConfigError, loadConfig } from '../packages/supervisor/src/config/load-config.js';
import { numericRange, repoKeys, settingsPath, supervisorKeys } from './helpers/config-doc.js';
import { createGitRepo } from './helpers/git-repo.js';
import { TempDirs } from './helpers/temp-dir.js';

// The key tables of docs/CONFIGURATION.md against the loader: every default
// the table gives is the one applied, and every range it gives is exactly the
// one accepted. A key added to the schema or the table alone fails here.
const temp = new TempDirs();
afterEach(() => temp.cleanup());

/** `a.b_c: 1` as the nested mapping of a `supervisor:` section. */
function section(key: string, value: unknown, extra: Record<string, unknown> = {}): Record<string, unknown> {
  const parts = key.split('.');
  const leaf = parts.pop() ?? key;
  const outer = parts[0];
  return outer === undefined ? { ...extra, [leaf]: value } : { [outer]: { ...(extra[outer] as object | undefined), [leaf]: value } };
}

/** Loads a repos.yaml whose `supervisor:` is `supervisor` (JSON is YAML); resolves with the settings or the problems. */
async function load(supervisor: Record<string, unknown>, repos: unknown[] = []): Promise<{ settings?: unknown; problems: string[]; folder: string }> {
  const folder = await temp.make();
  const file = join(folder, 'repos.yaml');
  await writeFile(file, `supervisor: ${JSON.stringify(supervisor)}\nrepos: ${JSON.stringify(repos)}\n`);
  try {
    return { settings: (await loadConfig(file, {})).settings, problems: [], folder };
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return { problems: error.problems, folder };
  }
}

function valueAt(settings: unknown, path: string[]): unknown {
  return path.reduce<unknown>((value, part) => (value as Record<string, unknown>)[part], settings);
}

/** The first backticked value of a default cell, as YAML would read it. */
function documentedDefault(cell: string): unknown {
  const text = /`([^`]+)`/.exec(cell)?.[1] ?? cell;
  if (text === 'true' || text === 'false') return text === 'true';
  return /^\d+$/.test(text) ? Number(text) : text;
}

// max_delay_ms must also be at least initial_delay_ms: its own range is tried with initial_delay_ms 0;
// initial_delay_ms, likewise, with max_delay_ms at its maximum.
const companions: Record<string, Record<string, unknown>> = {
  'restart.max_delay_ms': { restart: { initial_delay_ms: 0 } },
  'restart.initial_delay_ms': { restart: { max_delay_ms: 86_400_000 } },
  // request_timeout_ms must be at least headers_timeout_ms, likewise.
  'http.request_timeout_ms': { http: { headers_timeout_ms: 100 } },
  'http.headers_timeout_ms': { http: { request_timeout_ms: 86_400_000 } },
};

describe('the supervisor keys of CONFIGURATION.md', () => {
  const keys = supervisorKeys();

  it('lists every key the loader accepts, and no other', async () => {
    const { settings } = await load({});
    const leaves = (value: unknown, prefix: string[] = []): string[] =>
      Object.entries(value as Record<string, unknown>).flatMap(([name, inner]) =>
        typeof inner === 'object' && inner !== null ? leaves(inner, [...prefix, name]) : [[...prefix, name].join('.')],
      );
    expect(keys.map((entry) => settingsPath(entry.key).join('.')).sort()).toEqual(leaves(settings).sort());
  });

  it.each(keys.filter((entry) => entry.key !== 'home').map((entry) => [entry.key, entry.defaultCell]))('%s: the documented default (%s) is the one applied', async (key) => {
    const entry = keys.find((candidate) => candidate.key === key);
    const { settings } = await load({});
    expect(valueAt(settings, settingsPath(key))).toEqual(documentedDefault(entry?.defaultCell ?? ''));
  });

  it('home: the default is .repovisor in the folder of repos.yaml', async () => {
    const { settings, folder } = await load({});
    expect((settings as { home: string }).home).toBe(join(folder, '.repovisor'));
  });

  it.each(keys.filter((entry) => numericRange(entry.allowedCell) !== undefined).map((entry) => [entry.key, entry.allowedCell]))(
    '%s: accepts exactly the documented range (%s)',
    async (key) => {
      const range = numericRange(keys.find((entry) => entry.key === key)?.allowedCell ?? '');
      if (range === undefined) throw new Error(`no range for ${key}`);
      const extra = companions[key] ?? {};
      for (const value of [range.min, range.max]) {
        const { problems, settings } = await load(section(key, value, extra));
        expect(problems).toEqual([]);
        expect(valueAt(settings, settingsPath(key))).toBe(value);
      }
      for (const value of [range.min - 1, range.max + 1, range.min + 0.5]) {
        const { problems } = await load(section(key, value, extra));
        expect(problems).toContainEqual(expect.stringMatching(new RegExp(`^supervisor\\.${key.replace(/\./g, '\\.')}: must be a whole number from ${range.min} to `)));
      }
    },
  );

  it.each(keys.filter((entry) => numericRange(entry.allowedCell) === undefined).map((entry) => [entry.key, entry.allowedCell]))('%s: refuses what %s excludes', async (key, allowed) => {
    const wrong = allowed.includes('true') ? 'yes' : '';
    const { problems } = await load(section(key, wrong));
    expect(problems).toEqual([expect.stringMatching(new RegExp(`^supervisor\\.${key.replace(/\./g, '\\.')}: must `))]);
  });
});

describe('the repos keys of CONFIGURATION.md', () => {
  it('lists path, slug, autostart, env and pipeline', () => {
    expect(repoKeys().map((entry) => entry.key)).toEqual(['path', 'slug', 'autostart', 'env', 'pipeline']);
  });

  it('path is required; slug is derived, autostart true and env empty by default', async () => {
    const folder = await temp.make();
    const repo = await createGitRepo(join(folder, 'alpha'));
    const loaded = await load({}, [{ path: repo }]);
    expect(loaded.problems).toEqual([]);
    const file = join(folder, 'repos.yaml');
    await writeFile(file, `repos: ${JSON.stringify([{ path: repo }])}\n`);
    expect((await loadConfig(file, {})).repos).toEqual([{ path: repo, slug: 'alpha', autostart: true, env: {}, pipeline: null }]);
    expect((await load({}, [{ slug: 'acme/alpha' }])).problems).toEqual([expect.stringMatching(/^repos\[0\]\.path: /)]);
  });

  it('refuses an empty path, an invalid slug, an autostart that is not a boolean and env values that are not strings', async () => {
    const folder = await temp.make();
    const repo = await createGitRepo(join(folder, 'alpha'));
    const { problems } = await load({}, [{ path: '' }, { path: repo, slug: 'a/b/c', autostart: 'yes', env: { COUNT: 3, REPOVISOR_X: 'y', 'BAD-NAME': 'z' } }]);
    for (const where of ['repos[0].path', 'repos[1].slug', 'repos[1].autostart', 'repos[1].env.COUNT', 'repos[1].env.REPOVISOR_X', 'repos[1].env.BAD-NAME']) {
      expect(problems).toContainEqual(expect.stringMatching(new RegExp(`^${where.replace(/[.[\]]/g, '\\$&')}: `)));
    }
  });
});
