import { afterEach, describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { PIPELINE_DEFAULTS } from '@repovisor/protocol';
import { GithubClient } from '../packages/worker/src/pipeline/github/github-client.js';
import { discoverToken } from '../packages/worker/src/pipeline/github/github-token.js';
import { resolveGithubRepo } from '../packages/worker/src/pipeline/github/github-repo.js';
import { FakeGithub } from './helpers/fake-github.js';
import { commitFile, createGitRepo, git } from './helpers/git-repo.js';
import { TempDirs } from './helpers/temp-dir.js';

// The GitHub client against the local fake GitHub server, whose git side is a
// real bare repository: every operation, pagination, conditional requests,
// rate limits and tokens.

const run = promisify(execFile);
const temp = new TempDirs();
const servers: FakeGithub[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.stop()));
  await temp.cleanup();
});

const LABELS = PIPELINE_DEFAULTS.labels;

/** A fake GitHub for acme/alpha, its bare remote with `main`, a clone to push from, and a client with `token`. */
async function rig(token = 'write-token') {
  const root = await temp.make('repovisor-github-');
  const bare = join(root, 'remote.git');
  await run('git', ['init', '-q', '--bare', '-b', 'main', bare]);
  const clone = await createGitRepo(join(root, 'clone'), { commits: 1, origin: bare });
  await git(clone, 'push', '-q', 'origin', 'main');
  const server = await FakeGithub.start({ owner: 'acme', repo: 'alpha', bare, tokens: { 'write-token': 'write', 'read-token': 'read' } });
  servers.push(server);
  const client = new GithubClient({ token, apiUrl: server.url, repo: { owner: 'acme', repo: 'alpha' }, sleep: () => Promise.resolve() });
  return { server, client, bare, clone };
}

describe('the GitHub client', () => {
  it('preflight checks the token and the repository and creates the missing stage labels, once', async () => {
    const { server, client } = await rig();
    server.addIssue('existing', [LABELS.find]);
    const first = await client.preflight(LABELS);
    expect(first).toEqual({ ok: true, value: { login: 'octocat', created: [LABELS.plan, LABELS.ready, LABELS.review, LABELS.fixed, LABELS.hitl] } });
    expect([...server.store.labels.keys()].sort()).toEqual(Object.values(LABELS).sort());
    expect(await client.preflight(LABELS)).toEqual({ ok: true, value: { login: 'octocat', created: [] } });
  });

  it('preflight names the missing permission for a read-only token, and a bad token is unauthorized', async () => {
    const readOnly = await rig('read-token');
    const refused = await readOnly.client.preflight(LABELS);
    expect(refused).toMatchObject({ ok: false, kind: 'forbidden', permission: 'push' });
    if (refused.ok) throw new Error('a read-only token passed preflight');
    expect(refused.message).toMatch(/can read acme\/alpha but not write to it .*issues and pull requests: read and write/);
    const written = await readOnly.client.comment(readOnly.server.addIssue('x', []), 'hello');
    expect(written).toMatchObject({ ok: false, kind: 'forbidden', permission: 'issues=write', status: 403 });
    if (!written.ok) expect(written.message).toMatch(/Resource not accessible by integration/);

    const bad = await rig('wrong-token');
    const denied = await bad.client.preflight(LABELS);
    expect(denied).toMatchObject({ ok: false, kind: 'unauthorized', status: 401 });
    if (!denied.ok) expect(denied.message).toMatch(/Bad credentials.*GITHUB_TOKEN or GH_TOKEN/);
    expect(denied.ok ? '' : denied.message).not.toContain('wrong-token');
  });

  it('lists the open issues of a label across pages, without pull requests or other labels', async () => {
    const { server, client, clone } = await rig();
    const numbers: number[] = [];
    for (let index = 0; index < 130; index++) numbers.push(server.addIssue(`task ${index}`, [LABELS.find]));
    server.addIssue('other stage', [LABELS.plan]);
    const closed = server.addIssue('closed', [LABELS.find]);
    server.store.issues.get(closed)!.state = 'closed';
    await git(clone, 'checkout', '-q', '-b', 'pr-branch');
    await commitFile(clone, 'pr.txt', 'pr\n');
    await git(clone, 'push', '-q', 'origin', 'pr-branch');
    const pull = await client.openPull({ issue: numbers[0]!, title: 'task 0', branch: 'pr-branch', base: 'main' });
    if (!pull.ok) throw new Error(pull.message);
    server.store.issues.get(pull.value.number)!.labels.push(LABELS.find);

    const listed = await client.listIssues(LABELS.find);
    if (!listed.ok) throw new Error(listed.message);
    expect(listed.value.issues.map((issue) => issue.number).sort((a, b) => a - b)).toEqual(numbers);
    expect(listed.value.issues[0]).toMatchObject({ title: 'task 129', labels: [LABELS.find], url: expect.stringMatching(/\/issues\/\d+$/) });
    const pages = server.requests.filter((request) => request.path === '/repos/acme/alpha/issues');
    expect(pages.map((request) => new URLSearchParams(request.query).get('page'))).toEqual(['1', '2']);
  });

  it('polls with ETags: an unchanged list is answered 304 and costs no rate limit; a change is seen', async () => {
    const { server, client } = await rig();
    const number = server.addIssue('a task', [LABELS.find]);
    expect(await client.listIssues(LABELS.find)).toMatchObject({ ok: true, value: { unchanged: false } });
    const used = server.rateLimitUsed;
    const again = await client.listIssues(LABELS.find);
    expect(again).toMatchObject({ ok: true, value: { unchanged: true, issues: [{ number, title: 'a task' }] } });
    expect(server.requests.at(-1)).toMatchObject({ path: '/repos/acme/alpha/issues', status: 304 });
    expect(server.rateLimitUsed).toBe(used);
    server.addIssue('another', [LABELS.find]);
    const changed = await client.listIssues(LABELS.find);
    expect(changed).toMatchObject({ ok: true, value: { unchanged: false } });
    expect(changed.ok && changed.value.issues.length).toBe(2);
  });

  it('swaps labels by adding the new one first, then removing the old ones, and comments', async () => {
    const { server, client } = await rig();
    const number = server.addIssue('a task', [LABELS.find, 'bug']);
    expect(await client.swapLabels(number, LABELS.plan, [LABELS.find, LABELS.ready])).toEqual({ ok: true, value: null });
    expect(server.store.issues.get(number)!.labels).toEqual(['bug', LABELS.plan]);
    expect(server.writes()).toEqual([`POST /repos/acme/alpha/issues/${number}/labels`, `DELETE /repos/acme/alpha/issues/${number}/labels/${LABELS.find}`]);
    expect(server.requests.find((request) => request.method === 'POST')?.body).toEqual({ labels: [LABELS.plan] });

    const posted = await client.comment(number, '## Plan\n\nDo it.');
    expect(posted).toMatchObject({ ok: true, value: { url: expect.stringContaining(`/issues/${number}#issuecomment-`) } });
    expect(await client.listComments(number)).toMatchObject({ ok: true, value: [{ body: '## Plan\n\nDo it.', author: 'octocat' }] });
    expect(await client.closeIssue(number)).toEqual({ ok: true, value: null });
    expect(server.store.issues.get(number)!.state).toBe('closed');
  });

  it('opens a pull request once per branch, reviews it, squash-merges it into the remote and deletes the branch', async () => {
    const { server, client, bare, clone } = await rig();
    const number = server.addIssue('Add a greeting', [LABELS.review]);
    await git(clone, 'checkout', '-q', '-b', 'repovisor/1-greeting');
    await commitFile(clone, 'greeting.txt', 'hello\n');
    await commitFile(clone, 'greeting.txt', 'hello, world\n');
    await git(clone, 'push', '-q', 'origin', 'repovisor/1-greeting');
    const change = { issue: number, title: 'Add a greeting', branch: 'repovisor/1-greeting', base: 'main' };
    const opened = await client.openPull(change);
    if (!opened.ok) throw new Error(opened.message);
    expect(await client.openPull(change)).toEqual(opened);
    expect(server.writes().filter((write) => write === 'POST /repos/acme/alpha/pulls')).toHaveLength(1);
    expect(server.requests.find((request) => request.path === '/repos/acme/alpha/pulls' && request.method === 'POST')?.body).toMatchObject({
      title: `Fixes #${number}: Add a greeting`,
      body: `Closes #${number}`,
    });
    expect(await client.findPull(change.branch)).toEqual({ ok: true, value: opened.value });

    expect(await client.review(opened.value.number, 'REQUEST_CHANGES', 'SUMMARY: needs a test')).toMatchObject({ ok: true });
    expect(await client.review(opened.value.number, 'APPROVE', 'SUMMARY: good')).toMatchObject({ ok: true });
    expect(server.store.reviews.map((each) => each.event)).toEqual(['REQUEST_CHANGES', 'APPROVE']);

    const before = await git(bare, 'rev-parse', 'main');
    const merged = await client.squashMerge(opened.value.number, { title: `Fixes #${number}: Add a greeting (#${opened.value.number})`, sha: opened.value.headSha });
    if (!merged.ok) throw new Error(merged.message);
    expect(await git(bare, 'rev-parse', 'main')).toBe(merged.value.sha);
    expect(await git(bare, 'rev-parse', `${merged.value.sha}^`)).toBe(before);
    expect(await git(bare, 'show', `${merged.value.sha}:greeting.txt`)).toBe('hello, world');
    expect(server.store.issues.get(number)!.state).toBe('closed');
    expect(await client.squashMerge(opened.value.number, { title: 'again' })).toMatchObject({ ok: false, kind: 'not_mergeable', status: 405 });

    expect(await client.deleteBranch(change.branch)).toEqual({ ok: true, value: null });
    expect(await git(bare, 'branch', '--list', 'repovisor/*')).toBe('');
    expect(await client.deleteBranch(change.branch)).toEqual({ ok: true, value: null });
    expect(await client.findPull(change.branch)).toMatchObject({ ok: true, value: { merged: true } });
  });

  it('a merge whose head moved since is refused with 409, and a conflicting one with 405', async () => {
    const { server, client, clone } = await rig();
    const number = server.addIssue('Edit', []);
    await git(clone, 'checkout', '-q', '-b', 'edit');
    await commitFile(clone, 'file-0.txt', 'edited on the branch\n');
    await git(clone, 'push', '-q', 'origin', 'edit');
    const opened = await client.openPull({ issue: number, title: 'Edit', branch: 'edit', base: 'main' });
    if (!opened.ok) throw new Error(opened.message);
    expect(await client.squashMerge(opened.value.number, { title: 'Edit', sha: '0'.repeat(40) })).toMatchObject({ ok: false, kind: 'head_changed', status: 409 });
    await git(clone, 'checkout', '-q', 'main');
    await commitFile(clone, 'file-0.txt', 'edited on main\n');
    await git(clone, 'push', '-q', 'origin', 'main');
    expect(await client.squashMerge(opened.value.number, { title: 'Edit' })).toMatchObject({ ok: false, kind: 'not_mergeable', status: 405 });
  });

  it('waits out a 429 or a 403 rate limit and tries again; a long limit is a failure with its end', async () => {
    const { server } = await rig();
    const waits: number[] = [];
    const client = new GithubClient({ token: 'write-token', apiUrl: server.url, repo: { owner: 'acme', repo: 'alpha' }, sleep: (ms) => (waits.push(ms), Promise.resolve()) });
    const number = server.addIssue('a task', [LABELS.find]);
    server.throttle(429, 2);
    expect(await client.comment(number, 'after a 429')).toMatchObject({ ok: true });
    expect(waits).toEqual([2000]);
    expect(server.requests.map((request) => request.status)).toEqual([429, 201]);
    server.throttle(403, 3);
    expect(await client.listIssues(LABELS.find)).toMatchObject({ ok: true, value: { issues: [{ number }] } });
    expect(waits).toHaveLength(2);
    // The reset is a whole second, three or four seconds ahead of the request.
    expect(waits[1]).toBeGreaterThan(0);
    expect(waits[1]).toBeLessThanOrEqual(4000);

    server.throttle(429, 3600);
    const limited = await client.comment(number, 'not now');
    expect(limited).toMatchObject({ ok: false, kind: 'rate_limited', status: 429, retryAt: expect.any(Number) });
    if (!limited.ok) expect(limited.message).toMatch(/secondary rate limit.*waits until \d{4}-/);
    expect(server.store.comments.map((each) => each.body)).toEqual(['after a 429']);
  });
});

describe('the token and the repository', () => {
  it('takes GITHUB_TOKEN, then GH_TOKEN, then gh auth token, and says how to fix having none', async () => {
    const asked: number[] = [];
    const gh = () => (asked.push(1), Promise.resolve('from-gh'));
    expect(await discoverToken({ GITHUB_TOKEN: 'a', GH_TOKEN: 'b' }, gh)).toEqual({ ok: true, token: 'a', origin: 'GITHUB_TOKEN' });
    expect(await discoverToken({ GH_TOKEN: 'b' }, gh)).toEqual({ ok: true, token: 'b', origin: 'GH_TOKEN' });
    expect(asked).toEqual([]);
    expect(await discoverToken({}, gh)).toEqual({ ok: true, token: 'from-gh', origin: 'gh auth token' });
    const none = await discoverToken({}, () => Promise.resolve(null));
    expect(none).toMatchObject({ ok: false, message: expect.stringMatching(/GITHUB_TOKEN nor GH_TOKEN.*gh auth login/) });
  });

  it('is pipeline.github_repo, else the owner/name of a GitHub (or GitHub Enterprise) remote URL', () => {
    const api = 'https://api.github.com';
    expect(resolveGithubRepo('acme/beta', '/tmp/x.git', api)).toEqual({ ok: true, repo: { owner: 'acme', repo: 'beta' } });
    for (const url of ['https://github.com/acme/alpha.git', 'git@github.com:acme/alpha.git', 'ssh://git@github.com/acme/alpha', 'https://x-access-token:s3cret@github.com/acme/alpha.git']) {
      expect(resolveGithubRepo(null, url, api)).toEqual({ ok: true, repo: { owner: 'acme', repo: 'alpha' } });
    }
    expect(resolveGithubRepo(null, 'https://ghe.example.com/acme/alpha.git', 'https://ghe.example.com/api/v3')).toEqual({ ok: true, repo: { owner: 'acme', repo: 'alpha' } });
    const elsewhere = resolveGithubRepo(null, 'https://user:s3cret@gitlab.com/acme/alpha.git', api);
    expect(elsewhere).toMatchObject({ ok: false, message: expect.stringMatching(/not a repository on github\.com; set pipeline\.github_repo/) });
    expect(elsewhere.ok ? '' : elsewhere.message).not.toContain('s3cret');
    expect(resolveGithubRepo('not a slug', '', api)).toMatchObject({ ok: false });
  });
});
