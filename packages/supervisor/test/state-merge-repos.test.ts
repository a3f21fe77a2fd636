import { describe, expect, it } from '@jest/globals';
import type { RepoDefinition } from '../src/config/config-schema.js';
import { mergeRepos } from '../src/state/merge-repos.js';
import type { MergeEvent } from '../src/state/merge-repos.js';
import type { StoredRepo } from '../src/state/state-schema.js';

const NOW = new Date('2025-06-01T00:00:00.000Z');

function definition(slug: string, path: string, overrides: Partial<RepoDefinition> = {}): RepoDefinition {
  return { slug, path, autostart: true, env: {}, pipeline: null, ...overrides };
}

function stored(slug: string, path: string, overrides: Partial<StoredRepo> = {}): StoredRepo {
  return {
    slug,
    path,
    autostart: true,
    env: {},
    source: 'config',
    addedAt: '2025-01-01T00:00:00.000Z',
    token: `token-of-${slug}`.padEnd(32, '0'),
    pid: 100,
    pidStartTicks: 200,
    httpPort: 3000,
    ...overrides,
  };
}

function merge(config: RepoDefinition[], previous: StoredRepo[]): { repos: StoredRepo[]; events: MergeEvent[] } {
  const events: MergeEvent[] = [];
  let counter = 0;
  const repos = mergeRepos(config, previous, () => `new-token-${(counter += 1)}`.padEnd(32, '0'), { onEvent: (event) => events.push(event), now: () => NOW });
  return { repos, events };
}

describe('mergeRepos', () => {
  it('adds a new config repo with a new token and no worker', () => {
    const { repos, events } = merge([definition('acme/alpha', '/r/alpha', { env: { A: '1' } })], []);
    expect(repos).toEqual([
      {
        slug: 'acme/alpha',
        path: '/r/alpha',
        autostart: true,
        env: { A: '1' },
        pipeline: null,
        source: 'config',
        addedAt: NOW.toISOString(),
        token: 'new-token-1'.padEnd(32, '0'),
        pid: null,
        pidStartTicks: null,
        httpPort: null,
      },
    ]);
    expect(events).toEqual([]);
  });

  it('keeps the stored token and worker of the same slug and folder but takes settings from the file', () => {
    const before = stored('acme/alpha', '/r/alpha', { autostart: true, env: { OLD: 'x' } });
    const { repos, events } = merge([definition('acme/alpha', '/r/alpha', { autostart: false, env: { NEW: 'y' } })], [before]);
    expect(repos).toEqual([{ ...before, autostart: false, env: { NEW: 'y' }, pipeline: null }]);
    expect(events).toEqual([]);
  });

  it('does not carry a worker over when the slug now names another folder', () => {
    const before = stored('acme/alpha', '/r/old');
    const { repos, events } = merge([definition('acme/alpha', '/r/new')], [before]);
    expect(repos).toMatchObject([{ path: '/r/new', pid: null, pidStartTicks: null, httpPort: null, token: 'new-token-1'.padEnd(32, '0') }]);
    expect(events).toEqual([{ kind: 'path_changed', dropped: before, path: '/r/new' }]);
  });

  it('keeps API repos after the config repos', () => {
    const api = stored('acme/api', '/r/api', { source: 'api' });
    const { repos, events } = merge([definition('acme/alpha', '/r/alpha')], [api]);
    expect(repos.map((repo) => repo.slug)).toEqual(['acme/alpha', 'acme/api']);
    expect(repos[1]).toEqual(api);
    expect(events).toEqual([]);
  });

  it('lets a config repo win over an API repo with the same slug or the same folder, and reports it', () => {
    const sameSlug = stored('acme/alpha', '/r/elsewhere', { source: 'api' });
    const samePath = stored('acme/other', '/r/beta', { source: 'api' });
    const { repos, events } = merge([definition('acme/alpha', '/r/alpha'), definition('acme/beta', '/r/beta')], [sameSlug, samePath]);
    expect(repos.map((repo) => [repo.slug, repo.path, repo.source])).toEqual([
      ['acme/alpha', '/r/alpha', 'config'],
      ['acme/beta', '/r/beta', 'config'],
    ]);
    expect(repos[0]?.pid).toBeNull();
    expect(events).toEqual([
      { kind: 'api_repo_replaced', dropped: sameSlug, by: 'acme/alpha', clash: 'slug' },
      { kind: 'api_repo_replaced', dropped: samePath, by: 'acme/beta', clash: 'path' },
    ]);
  });

  it('adopts an API repo that the file now lists with the same slug and folder', () => {
    const api = stored('acme/alpha', '/r/alpha', { source: 'api' });
    const { repos, events } = merge([definition('acme/alpha', '/r/alpha')], [api]);
    expect(repos).toEqual([{ ...api, source: 'config', pipeline: null }]);
    expect(events).toEqual([{ kind: 'api_repo_adopted', repo: api }]);
  });

  it('drops config repos that are no longer in the file', () => {
    const gone = stored('acme/gone', '/r/gone');
    const { repos, events } = merge([], [gone]);
    expect(repos).toEqual([]);
    expect(events).toEqual([{ kind: 'removed_from_config', dropped: gone }]);
  });
});
