// Hostile input on the supervisor's HTTP API: bad bodies, oversize bodies, slug and path tricks, slow clients, many connections.
import { mkdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createGitRepo } from '../lib/git-repos.mjs';
import { guardedSupervisor } from '../lib/guarded-fixture.mjs';
import { openIdle, pool, rawHttp } from '../lib/sockets.mjs';
import { check } from '../lib/wait.mjs';

export const title = 'HTTP API: wrong types, oversize bodies, slug and path tricks, slow clients, many connections';

const HEADERS_TIMEOUT_MS = 1000;
const REQUEST_TIMEOUT_MS = 2000;

/** The `error` of a JSON answer, else the answer's first line. */
function errorOf(text) {
  try {
    return String(JSON.parse(text).error);
  } catch {
    return text.split('\r\n')[0].split('\n')[0];
  }
}

/** Runs the HTTP inputs under `ctx`. */
export async function run(ctx) {
  const { supervisor, guard, folder, configRepo, apiRepo } = await guardedSupervisor(ctx, 'http-api', { http: `{host: 127.0.0.1, port: 0, headers_timeout_ms: ${HEADERS_TIMEOUT_MS}, request_timeout_ms: ${REQUEST_TIMEOUT_MS}}` });
  const fresh = await createGitRepo(join(folder, 'gamma'));

  /** One call must get `status` and an error matching `pattern`. */
  const refused = (name, call, status, pattern) =>
    guard.badInput(name, async () => {
      const answer = await call();
      check(answer.status === status, `answered ${answer.status} ${answer.text.slice(0, 200)}, expected ${status}`);
      const message = errorOf(answer.text);
      check(pattern.test(message), `error ${JSON.stringify(message.slice(0, 200))} does not match ${pattern}`);
      return `${answer.status} ${message.length > 110 ? `${message.slice(0, 110)}…` : message}`;
    });
  const post = (raw, headers) => () => supervisor.api('POST', '/api/repos', undefined, { raw, headers });
  const add = (body) => () => supervisor.api('POST', '/api/repos', body);

  for (const [name, raw] of [
    ['a body that is a JSON array', '[1, 2]'],
    ['a body without path', '{}'],
    ['a path that is a number', '{"path": 42}'],
    ['a path that is null', '{"path": null}'],
    ['an empty path', '{"path": ""}'],
    ['an extra field', `{"path": ${JSON.stringify(fresh)}, "env": {"X": "1"}}`],
    ['autostart as a string', `{"path": ${JSON.stringify(fresh)}, "autostart": "yes"}`],
    ['a slug that is an object', `{"path": ${JSON.stringify(fresh)}, "slug": {"a": 1}}`],
    ['a slug of 300 characters', `{"path": ${JSON.stringify(fresh)}, "slug": "${'s'.repeat(300)}"}`],
  ]) {
    await refused(`POST /api/repos with ${name}`, post(raw), 400, /Invalid body: expected \{path, slug\?, autostart\?\}/);
  }
  await refused('POST /api/repos with JSON that does not parse', post('{"path": '), 400, /Invalid JSON body/);
  await refused('POST /api/repos with a 200 KiB body', add({ path: 'x'.repeat(200 * 1024) }), 413, /Payload too large/);
  await refused('POST /api/repos with a 10 MiB body', add({ path: fresh, pad: 'x'.repeat(10 * 1024 * 1024) }), 413, /Payload too large/);
  await refused('POST /api/repos with a text/plain body', post(`path=${fresh}`, { 'content-type': 'text/plain' }), 415, /Unsupported Media Type/);
  await refused('POST /api/repos without the token', () => supervisor.api('POST', '/api/repos', { path: fresh }, { token: false }), 401, /Unauthorized/);
  await refused('DELETE /api/repos/acme/alpha with a wrong token', () => supervisor.api('DELETE', '/api/repos/acme/alpha', undefined, { token: false, headers: { authorization: 'Bearer nope' } }), 401, /Unauthorized/);
  await refused('GET /api/repos with a Host header that is not loopback', () => rawHttp(supervisor.url, 'GET /api/repos HTTP/1.1\r\nHost: attacker.example\r\nConnection: close\r\n\r\n').then((r) => ({ ...r, text: r.body })), 403, /Forbidden/);

  for (const [name, slug, pattern] of [
    ['".."', '../evil', /must not contain "\.\."/],
    ['"a/../b"', 'a/../b', /Invalid slug/],
    ['three segments', 'a/b/c', /Invalid slug/],
    ['a leading dot', '.hidden', /Invalid slug/],
    ['a leading slash', '/abs', /Invalid slug/],
    ['a NUL character', 'bad\u0000slug', /Invalid slug/],
    ['a newline', 'bad\nslug', /Invalid slug/],
    ['an escape character', 'bad\u001bslug', /Invalid slug/],
    ['a backslash', 'a\\..\\b', /Invalid slug/],
    ['a space', 'a b', /Invalid slug/],
  ]) {
    await refused(`POST /api/repos with a slug with ${name}`, add({ path: fresh, slug }), 400, pattern);
  }
  await refused('POST /api/repos of acme/alpha\'s folder through a symlink', async () => {
    const link = join(folder, 'link-to-alpha');
    await symlink(configRepo, link);
    return supervisor.api('POST', '/api/repos', { path: link, slug: 'other/alpha' });
  }, 409, /already managed as "acme\/alpha"/);
  await refused('POST /api/repos of acme/beta\'s folder through ".." segments', add({ path: join(folder, 'gamma', '..', 'beta') }), 409, /already managed/);
  await refused('POST /api/repos through a symlink to a folder that is not a repository', async () => {
    await mkdir(join(folder, 'plain'));
    await symlink(join(folder, 'plain'), join(folder, 'link-to-plain'));
    return supervisor.api('POST', '/api/repos', { path: join(folder, 'link-to-plain') });
  }, 400, /not a git repository/);
  await refused('POST /api/repos of a dangling symlink', async () => {
    await symlink(join(folder, 'nowhere'), join(folder, 'dangling'));
    return supervisor.api('POST', '/api/repos', { path: join(folder, 'dangling') });
  }, 400, /does not exist/);
  await refused('POST /api/repos of a regular file', async () => {
    await writeFile(join(folder, 'a-file'), 'x');
    return supervisor.api('POST', '/api/repos', { path: join(folder, 'a-file') });
  }, 400, /not a git repository|not a folder|directory/);
  await refused('POST /api/repos of a subfolder of a repository', async () => {
    await mkdir(join(apiRepo, 'sub'), { recursive: true });
    return supervisor.api('POST', '/api/repos', { path: join(apiRepo, 'sub') });
  }, 400, /not its top level/);
  await refused('POST /api/repos of "/"', add({ path: '/' }), 400, /not a git repository/);
  await refused('POST /api/repos with acme/alpha\'s slug in another spelling', add({ path: fresh, slug: 'Acme-Alpha' }), 409, /already managed/);

  for (const [name, path] of [
    ['an encoded "../.." slug', '/api/repos/..%2F..%2Fhome'],
    ['"%2e%2e" segments', '/api/repos/%2e%2e/%2e%2e'],
    ['a NUL in the slug', '/api/repos/acme%00alpha'],
    ['a newline in the slug', '/api/repos/acme%0Aalpha'],
  ]) {
    await refused(`DELETE ${name}`, () => supervisor.api('DELETE', path), 404, /Unknown repo|Not found/);
  }
  await refused('a raw request line with "/../" in the path', () => rawHttp(supervisor.url, `DELETE /api/repos/acme/../../api/repos/acme/alpha HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${supervisor.token}\r\nConnection: close\r\n\r\n`).then((r) => ({ ...r, text: r.body })), 404, /Unknown repo|Not found/);
  await refused('GET on a lifecycle action', () => supervisor.api('GET', '/api/repos/acme/alpha/start'), 405, /Use POST for start/);
  await refused('DELETE of a runtime through the proxy', () => supervisor.api('DELETE', '/api/repos/acme/alpha/runtimes/acme/alpha'), 405, /would leave an empty worker/);
  await refused('POST start of a running repo', () => supervisor.api('POST', '/api/repos/acme/beta/start'), 409, /Cannot start acme\/beta: it is running/);

  await refused('a client that never finishes its headers', () => rawHttp(supervisor.url, 'GET /api/repos HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ').then((r) => ({ ...r, text: r.text })), 408, /Request Timeout/);
  await guard.badInput('a client that sends half its body, then silence', async () => {
    const result = await rawHttp(supervisor.url, `POST /api/repos HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${supervisor.token}\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"path": `);
    check(!result.timedOut, 'the connection stayed open');
    check(result.status === null || result.status === 408 || result.status === 400, `answered ${result.status}`);
    return result.status === null ? 'cut off without an answer' : `answered ${result.status}, then closed`;
  });
  await guard.badInput('500 idle connections held open while 200 calls are made', async () => {
    const closeAll = await openIdle(Number(new URL(supervisor.url).port), 500);
    try {
      const answers = await pool(Array.from({ length: 200 }, () => () => supervisor.api('GET', '/api/repos')), 50);
      check(answers.every((answer) => answer.status === 200), 'a call failed while the idle connections were open');
    } finally {
      closeAll();
    }
    return '200 of 200 answered 200';
  });
  await guard.badInput('300 concurrent bad POSTs (wrong types)', async () => {
    const answers = await pool(Array.from({ length: 300 }, (_, index) => () => supervisor.api('POST', '/api/repos', { path: index })), 300);
    check(answers.every((answer) => answer.status === 400), 'not every bad POST got 400');
    return '300 × 400';
  });
}
