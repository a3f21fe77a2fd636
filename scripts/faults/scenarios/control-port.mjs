// Hostile input on the TCP control port: garbage, oversize lines, wrong shapes, floods, half-open and silent
// connections, hellos that must be refused, HydraFlow actions without a token, and an impostor worker.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createGitRepo } from '../lib/git-repos.mjs';
import { guardedSupervisor } from '../lib/guarded-fixture.mjs';
import { cleanEnv } from '../lib/processes.mjs';
import { exchange, firstJson, pool } from '../lib/sockets.mjs';
import { WORKER_MAIN } from '../lib/supervisor.mjs';
import { check } from '../lib/wait.mjs';

export const title = 'control port: garbage, floods, half-open clients, refused hellos, actions without a token';

const HELLO_TIMEOUT_MS = 1500;

/** Runs the control-port inputs under `ctx`. */
export async function run(ctx) {
  const { options } = ctx;
  const { home, supervisor, guard, configRepo, folder } = await guardedSupervisor(ctx, 'control-port', { control: `{hello_timeout_ms: ${HELLO_TIMEOUT_MS}}` });
  const port = Number(await readFile(join(home, 'supervisor-port'), 'utf8'));
  const state = JSON.parse(await readFile(join(home, 'supervisor-state.json'), 'utf8'));
  const tokenOf = (slug) => state.repos.find((repo) => repo.slug === slug).token;
  const pids = await supervisor.pids();
  const send = (payload, settings) => exchange(port, payload, settings);
  const line = (value) => `${JSON.stringify(value)}\n`;
  const hello = (params) => line({ id: 1, method: 'hello', params: { slug: 'acme/alpha', pid: 1, protocolVersion: 1, token: 'f'.repeat(64), httpPort: null, running: true, sessionId: null, ...params } });

  /** The first answer line must be an error whose text matches `pattern`, and the connection must close. */
  const errorThenClose = (name, payload, pattern, settings) =>
    guard.badInput(name, async () => {
      const result = await send(payload, settings);
      check(!result.timedOut, 'the connection was neither answered nor closed');
      const answer = firstJson(result);
      check(answer !== undefined, `no JSON answer line (got ${JSON.stringify(result.text.slice(0, 200))})`);
      const text = JSON.stringify(answer);
      check(pattern.test(text), `answer ${text} does not match ${pattern}`);
      return text.length > 140 ? `${text.slice(0, 140)}…` : text;
    });
  /** The connection must be closed without any answer. */
  const closedSilently = (name, payload) =>
    guard.badInput(name, async () => {
      const result = await send(payload);
      check(!result.timedOut, 'the connection stayed open');
      check(result.text === '', `expected no answer, got ${JSON.stringify(result.text.slice(0, 200))}`);
      return `closed without an answer${result.errors.length > 0 ? ` (${[...new Set(result.errors)].join(', ')})` : ''}`;
    });

  await errorThenClose('a line that is not JSON', 'this is not json\n', /"status":"error".*invalid JSON.*parse_error/);
  await closedSilently('a 2 MiB line with no newline', Buffer.alloc(2 * 1024 * 1024, 'a'));
  await closedSilently('a 1.5 MiB JSON line', `{"action":"ping","pad":"${'p'.repeat(1.5 * 1024 * 1024)}"}\n`);
  await errorThenClose('a JSON object that is neither an action nor a protocol message', line({ foo: 1 }), /unknown action/);
  for (const [name, payload] of [['a JSON array', '[1,2,3]\n'], ['a JSON number', '42\n'], ['JSON null', 'null\n'], ['a JSON string', '"hello"\n']]) {
    await errorThenClose(`${name} as the first line`, payload, /"error"/);
  }
  await errorThenClose('a hello whose params fail the schema', line({ id: 1, method: 'hello', params: { slug: 42 } }), /invalid_params/);
  await errorThenClose('a health request before any hello', line({ id: 7, method: 'health', params: {} }), /"error"/);
  await errorThenClose('an HTTP request sent to the control port', 'POST /api/repos HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n', /invalid JSON/);
  await errorThenClose('a hello with a wrong token', hello({ pid: pids['acme/alpha'] }), /"code":"unauthorized"/);
  await errorThenClose('a hello for an unknown slug', hello({ slug: 'acme/ghost' }), /"code":"unknown_slug"/);
  await errorThenClose('a hello of protocol version 99', hello({ protocolVersion: 99 }), /"code":"version_mismatch"/);
  await errorThenClose('a hello with the right token for a slug that belongs to another worker', hello({ token: tokenOf('acme/alpha'), pid: process.pid }), new RegExp(`"code":"unexpected_worker".*worker pid ${pids['acme/alpha']}`));
  await errorThenClose('a hello for acme/beta with acme/alpha\'s token', hello({ slug: 'acme/beta', token: tokenOf('acme/alpha'), pid: pids['acme/beta'] }), /"code":"unauthorized"/);

  await errorThenClose('nothing at all (a silent connection)', '', /timeout: no complete line within/);
  await errorThenClose('half a line, then silence', '{"action":"li', /timeout: no complete line within/);
  await errorThenClose('half a line, then the sending side closed', '{"action":"li', /invalid JSON/, { end: true });
  await guard.badInput('a connection that closes its sending side at once (half-open)', async () => {
    const result = await send('', { end: true });
    check(!result.timedOut && result.text === '', `expected a plain close, got ${JSON.stringify(result.text)}`);
    return 'closed';
  });
  await guard.badInput('a ping without its newline, then the sending side closed', async () => {
    const answer = firstJson(await send('{"action":"ping"}', { end: true }));
    check(answer?.status === 'ok', `answer ${JSON.stringify(answer)}`);
    return 'answered {"status":"ok"}';
  });

  for (const action of [{ action: 'add_repo', path: configRepo }, { action: 'register_repo', path: configRepo, repo_slug: 'x' }, { action: 'remove_repo', slug: 'acme/beta' }]) {
    await errorThenClose(`HydraFlow ${action.action} without a token`, line(action), /"status":"error".*Unauthorized/);
  }
  await errorThenClose('HydraFlow remove_repo of acme/alpha with a wrong token', line({ action: 'remove_repo', slug: 'acme/alpha', token: 'nope' }), /Unauthorized/);
  await errorThenClose('HydraFlow add_repo whose path is a number', line({ action: 'add_repo', path: 42, token: supervisor.token }), /Invalid add_repo request: path must be a string/);
  await errorThenClose('HydraFlow add_repo of a relative path', line({ action: 'add_repo', path: '../alpha', token: supervisor.token }), /absolute path/);
  await errorThenClose('HydraFlow add_repo of a missing path', line({ action: 'add_repo', path: join(folder, 'gone'), token: supervisor.token }), /Repo path not found/);
  const unmanaged = await createGitRepo(join(folder, 'gamma'));
  await errorThenClose('HydraFlow add_repo with a slug that has ".."', line({ action: 'add_repo', path: unmanaged, repo_slug: '../x', token: supervisor.token }), /Invalid slug/);
  await errorThenClose('HydraFlow remove_repo with neither path nor slug', line({ action: 'remove_repo', token: supervisor.token }), /Missing path or slug/);
  await errorThenClose('an unknown HydraFlow action', line({ action: 'restart_repo', slug: 'acme/alpha' }), /unknown action/);

  await guard.badInput(`a flood of ${options.floodLines} garbage lines on one connection`, async () => {
    const result = await send('garbage line\n'.repeat(options.floodLines));
    check(!result.timedOut, 'the connection stayed open');
    check(/invalid JSON/.test(result.lines[0] ?? ''), `first answer ${JSON.stringify(result.lines[0])}`);
    return `${result.lines.length} error line(s), then closed`;
  });
  await guard.badInput(`a flood of ${options.floodLines} requests on one connection before any hello`, async () => {
    const flood = Array.from({ length: options.floodLines }, (_, id) => line({ id, method: 'health', params: {} })).join('');
    const result = await send(flood);
    check(!result.timedOut, 'the connection stayed open');
    check(result.lines.every((answer) => /"error"/.test(answer)), 'a request before hello got a result');
    return `${result.lines.length} error answer(s), then closed`;
  });
  await guard.badInput(`${options.floodLines} pings on as many connections, 100 at a time`, async () => {
    const answers = await pool(Array.from({ length: options.floodLines }, () => () => send(line({ action: 'ping' }), { lines: 1 })), 100);
    const ok = answers.filter((result) => firstJson(result)?.status === 'ok').length;
    check(ok === answers.length, `${answers.length - ok} ping(s) not answered ok`);
    return `${ok} answered {"status":"ok"}`;
  });

  await guard.badInput('an impostor worker process with acme/alpha\'s slug and token dials the control port', async () => {
    const impostor = ctx.processes.start(process.execPath, [WORKER_MAIN], {
      env: cleanEnv({
        REPOVISOR_SLUG: 'acme/alpha',
        REPOVISOR_REPO_PATH: configRepo,
        REPOVISOR_DATA_ROOT: join(folder, 'impostor-data'),
        REPOVISOR_CONTROL: `127.0.0.1:${port}`,
        REPOVISOR_TOKEN: tokenOf('acme/alpha'),
        REPOVISOR_GRACE_MS: '1500',
      }),
    });
    const exit = await impostor.exited;
    check(exit.code === 0, `the impostor exited with ${JSON.stringify(exit)}`);
    check(/did not accept hello/.test(impostor.stdout()), 'the impostor never logged a refused hello');
    check(/belongs to worker pid/.test(impostor.stdout()), 'the refusal does not name the owning worker');
    return 'refused as a duplicate at every redial, exited 0 after its grace';
  });
}
