import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdir, rename, rmdir } from 'node:fs/promises';
import { join } from 'node:path';
import { startWithRepos } from './helpers/claims-config.js';
import { createGitRepo } from './helpers/git-repo.js';
import { SupervisorRig } from './helpers/supervisor-rig.js';
import type { RunningTestSupervisor } from './helpers/supervisor-rig.js';
import { TempDirs } from './helpers/temp-dir.js';
import { waitFor } from './helpers/wait-for.js';

// The documented order of the request checks, the body limit and the
// supervisor's own 404, 405 and 500 answers (docs/API.md). One supervisor, no
// worker: its only repo is not started.
const temp = new TempDirs();
const rig = new SupervisorRig();
let supervisor: RunningTestSupervisor;
let root: string;

const LIMIT = 64 * 1024;

beforeAll(async () => {
  root = await temp.make();
  supervisor = await startWithRepos(rig, root, {}, [{ slug: 'acme/alpha', autostart: false }]);
});

afterAll(async () => {
  await rig.cleanup();
  await temp.cleanup();
});

/** `{"path": …, "slug": …, "autostart": false}` padded with spaces to exactly `size` bytes. */
function paddedBody(path: string, slug: string, size: number): string {
  const json = JSON.stringify({ path, slug, autostart: false });
  return `${json.slice(0, -1)}${' '.repeat(size - Buffer.byteLength(json))}}`;
}

async function slugs(): Promise<string[]> {
  return (await rig.repos(supervisor)).map((repo) => repo.slug);
}

describe('the order of the request checks', () => {
  it('answers 415, not 401, to a body that is not JSON sent without a token', async () => {
    const response = await rig.api(supervisor, 'POST', '/api/repos', undefined, { token: false, raw: '{"path":"/tmp"}', headers: { 'content-type': 'text/plain' } });
    expect(response).toEqual({ status: 415, body: { error: 'Unsupported Media Type: request bodies must be application/json' } });
  });

  it('answers 401 with the documented message to a JSON body sent without a token', async () => {
    const response = await rig.api(supervisor, 'POST', '/api/repos', { path: '/tmp' }, { token: false });
    expect(response).toEqual({ status: 401, body: { error: 'Unauthorized: this call needs the bearer token (Authorization: Bearer <token>)' } });
  });
});

describe('the 64 KiB body limit', () => {
  it('accepts a body of exactly 64 KiB and answers 413 to one byte more', async () => {
    const repo = await createGitRepo(join(root, 'big'));
    const atLimit = await rig.api(supervisor, 'POST', '/api/repos', undefined, { raw: paddedBody(repo, 'acme/big', LIMIT) });
    expect(atLimit.status).toBe(201);
    expect(atLimit.body).toMatchObject({ slug: 'acme/big', status: 'stopped' });
    const other = await createGitRepo(join(root, 'bigger'));
    const over = await rig.api(supervisor, 'POST', '/api/repos', undefined, { raw: paddedBody(other, 'acme/bigger', LIMIT + 1) });
    expect(over).toEqual({ status: 413, body: { error: 'Payload too large: the body is over the limit' } });
    expect(await slugs()).toEqual(['acme/alpha', 'acme/big']);
  });
});

describe('the supervisor answers by itself', () => {
  it.each(['start', 'stop', 'restart'])('answers 405 "Use POST for %s" to a GET of that action', async (action) => {
    const response = await rig.api(supervisor, 'GET', `/api/repos/acme/alpha/${action}`);
    expect(response).toEqual({ status: 405, body: { error: `Use POST for ${action}` } });
  });

  it('answers 404 "Not found: <method> <path>" to an unknown path, outside /api/repos and under a repo', async () => {
    expect(await rig.api(supervisor, 'GET', '/api/nothing')).toEqual({ status: 404, body: { error: 'Not found: GET /api/nothing' } });
    expect(await rig.api(supervisor, 'POST', '/api/repos/acme/alpha/jump')).toEqual({ status: 404, body: { error: 'Not found: POST /api/repos/acme/alpha/jump' } });
    expect(await rig.api(supervisor, 'GET', '/api/repos/acme/nope')).toEqual({ status: 404, body: { error: 'Unknown repo: acme/nope' } });
  });

  it('answers 500 "Internal error" when the registry cannot be saved, and logs the details', async () => {
    // A folder where the state file goes makes every save fail (a rename onto a folder: EISDIR).
    const state = join(supervisor.home, 'supervisor-state.json');
    await rename(state, `${state}.aside`);
    await mkdir(state);
    try {
      const repo = await createGitRepo(join(root, 'unsaved'));
      const response = await rig.api(supervisor, 'POST', '/api/repos', { path: repo, slug: 'acme/unsaved', autostart: false });
      expect(response).toEqual({ status: 500, body: { error: 'Internal error' } });
      await waitFor('the failure in the supervisor log', () => supervisor.child.stdout().split('\n').find((line) => line.includes('"request failed"') && line.includes('EISDIR')));
      expect(await slugs()).not.toContain('acme/unsaved');
    } finally {
      await rmdir(state);
      await rename(`${state}.aside`, state);
    }
  });
});
