import { PIPELINE_DEFAULTS } from '@repovisor/protocol';
import { describe, expect, it } from '@jest/globals';
import { readWorkerEnv } from '@repovisor/worker';
import type { WorkerEnvResult, WorkerSettings } from '@repovisor/worker';

const TOKEN = 'a-token-of-24-characters';

/** The three required variables, valid, plus `extra`. */
function env(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return { REPOVISOR_SLUG: 'acme/alpha', REPOVISOR_REPO_PATH: '/srv/repos/alpha', REPOVISOR_DATA_ROOT: '/srv/data/alpha', ...extra };
}

function settingsOf(result: WorkerEnvResult): WorkerSettings {
  if (!result.ok) throw new Error(`expected settings, got problems: ${result.problems.join('; ')}`);
  return result.settings;
}

function problemsOf(result: WorkerEnvResult): string[] {
  if (result.ok) throw new Error(`expected problems, got settings: ${JSON.stringify(result.settings)}`);
  return result.problems;
}

describe('readWorkerEnv', () => {
  it('fills in the defaults when only the required variables are set', () => {
    expect(readWorkerEnv(env())).toEqual({
      ok: true,
      settings: {
        slug: 'acme/alpha',
        repoPath: '/srv/repos/alpha',
        dataRoot: '/srv/data/alpha',
        control: undefined,
        token: undefined,
        httpPort: 0,
        graceMs: 30_000,
        watchIntervalMs: 2000,
        logLevel: 'info',
        pipeline: null,
      },
    });
  });

  it('reads the pipeline settings the supervisor writes in REPOVISOR_PIPELINE, and refuses what is not such JSON', () => {
    const pipeline = { ...PIPELINE_DEFAULTS, enabled: true, agent: { command: ['/usr/bin/node', '/srv/agent.mjs'] }, stages: { review: { max_workers: 2 } } };
    expect(settingsOf(readWorkerEnv(env({ REPOVISOR_PIPELINE: JSON.stringify(pipeline) }))).pipeline).toEqual(pipeline);
    for (const wrong of ['{', '{}', JSON.stringify({ ...pipeline, agent: { command: [] } })]) {
      expect(readWorkerEnv(env({ REPOVISOR_PIPELINE: wrong }))).toEqual({
        ok: false,
        problems: ["REPOVISOR_PIPELINE: REPOVISOR_PIPELINE must be the JSON of a repo's pipeline settings, as the supervisor writes it from repos.yaml"],
      });
    }
  });

  it('reads every variable when all are set and valid', () => {
    const settings = settingsOf(
      readWorkerEnv(
        env({
          REPOVISOR_SLUG: 'single-name',
          REPOVISOR_CONTROL: '127.0.0.1:7000',
          REPOVISOR_TOKEN: TOKEN,
          REPOVISOR_HTTP_PORT: '8080',
          REPOVISOR_GRACE_MS: '0',
          REPOVISOR_WATCH_INTERVAL_MS: '10',
          REPOVISOR_LOG_LEVEL: 'silent',
        }),
      ),
    );
    expect(settings).toMatchObject({ slug: 'single-name', control: { host: '127.0.0.1', port: 7000 }, token: TOKEN, httpPort: 8080, graceMs: 0, watchIntervalMs: 10, logLevel: 'silent' });
  });

  it('treats empty strings as unset', () => {
    const settings = settingsOf(
      readWorkerEnv(
        env({
          REPOVISOR_CONTROL: '',
          REPOVISOR_TOKEN: '',
          REPOVISOR_HTTP_PORT: '',
          REPOVISOR_GRACE_MS: '',
          REPOVISOR_WATCH_INTERVAL_MS: '',
          REPOVISOR_LOG_LEVEL: '',
        }),
      ),
    );
    expect(settings).toMatchObject({ control: undefined, token: undefined, httpPort: 0, graceMs: 30_000, watchIntervalMs: 2000, logLevel: 'info' });
    expect(problemsOf(readWorkerEnv(env({ REPOVISOR_SLUG: '', REPOVISOR_REPO_PATH: '' })))).toEqual([
      'REPOVISOR_SLUG: REPOVISOR_SLUG is required',
      'REPOVISOR_REPO_PATH: REPOVISOR_REPO_PATH is required',
    ]);
  });

  it('lists control-port and missing-token problems together with the others', () => {
    const problems = problemsOf(readWorkerEnv(env({ REPOVISOR_CONTROL: '127.0.0.1:0', REPOVISOR_LOG_LEVEL: 'verbose' })));
    expect(problems.map((problem) => problem.slice(0, problem.indexOf(':')))).toEqual(['REPOVISOR_CONTROL', 'REPOVISOR_TOKEN', 'REPOVISOR_LOG_LEVEL']);
  });

  it('lists every problem at once', () => {
    const problems = problemsOf(
      readWorkerEnv({
        REPOVISOR_SLUG: 'acme/..',
        REPOVISOR_REPO_PATH: 'relative/repo',
        REPOVISOR_HTTP_PORT: 'eighty',
        REPOVISOR_GRACE_MS: 'soon',
        REPOVISOR_WATCH_INTERVAL_MS: '5',
        REPOVISOR_LOG_LEVEL: 'verbose',
        REPOVISOR_TOKEN: 'short',
        REPOVISOR_CONTROL: 'nowhere',
      }),
    );
    expect(problems.map((problem) => problem.slice(0, problem.indexOf(':')))).toEqual([
      'REPOVISOR_SLUG',
      'REPOVISOR_REPO_PATH',
      'REPOVISOR_DATA_ROOT',
      'REPOVISOR_CONTROL',
      'REPOVISOR_TOKEN',
      'REPOVISOR_HTTP_PORT',
      'REPOVISOR_GRACE_MS',
      'REPOVISOR_WATCH_INTERVAL_MS',
      'REPOVISOR_LOG_LEVEL',
    ]);
  });

  it.each([
    ['acme/..', 'must not contain ".."'],
    ['acme/.hidden', 'must not start a segment with "."'],
    ['a/b/c', 'at most one "/"'],
    ['acme/', 'must not have an empty owner or name'],
    ['acme/al pha', 'may contain only letters'],
  ])('refuses the slug %j', (slug, reason) => {
    const problems = problemsOf(readWorkerEnv(env({ REPOVISOR_SLUG: slug })));
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain(`REPOVISOR_SLUG: invalid slug "${slug}"`);
    expect(problems[0]).toContain(reason);
  });

  it('accepts an owner/repo slug and a bare name', () => {
    expect(settingsOf(readWorkerEnv(env({ REPOVISOR_SLUG: 'Acme-Corp/my_repo.js' }))).slug).toBe('Acme-Corp/my_repo.js');
    expect(settingsOf(readWorkerEnv(env({ REPOVISOR_SLUG: 'alpha' }))).slug).toBe('alpha');
  });

  it('refuses relative paths', () => {
    expect(problemsOf(readWorkerEnv(env({ REPOVISOR_REPO_PATH: 'repos/alpha', REPOVISOR_DATA_ROOT: './data' })))).toEqual([
      'REPOVISOR_REPO_PATH: REPOVISOR_REPO_PATH must be an absolute path',
      'REPOVISOR_DATA_ROOT: REPOVISOR_DATA_ROOT must be an absolute path',
    ]);
  });

  it.each<[string, number | 'off']>([
    ['off', 'off'],
    ['0', 0],
    ['8080', 8080],
    ['65535', 65535],
  ])('accepts REPOVISOR_HTTP_PORT=%j', (text, port) => {
    expect(settingsOf(readWorkerEnv(env({ REPOVISOR_HTTP_PORT: text }))).httpPort).toBe(port);
  });

  it.each(['eighty', '70000', '65536', '-1', '1.5', '0x50', '1e3', 'OFF'])('refuses REPOVISOR_HTTP_PORT=%j', (text) => {
    expect(problemsOf(readWorkerEnv(env({ REPOVISOR_HTTP_PORT: text })))).toEqual([
      'REPOVISOR_HTTP_PORT: REPOVISOR_HTTP_PORT must be 0, a port number from 1 to 65535, or "off"',
    ]);
  });

  it('keeps milliseconds within their bounds', () => {
    expect(problemsOf(readWorkerEnv(env({ REPOVISOR_WATCH_INTERVAL_MS: '5' })))).toEqual([
      'REPOVISOR_WATCH_INTERVAL_MS: REPOVISOR_WATCH_INTERVAL_MS must be a whole number of milliseconds from 10 to 3600000',
    ]);
    expect(settingsOf(readWorkerEnv(env({ REPOVISOR_WATCH_INTERVAL_MS: '10' }))).watchIntervalMs).toBe(10);
    expect(settingsOf(readWorkerEnv(env({ REPOVISOR_WATCH_INTERVAL_MS: '3600000' }))).watchIntervalMs).toBe(3_600_000);
    expect(problemsOf(readWorkerEnv(env({ REPOVISOR_WATCH_INTERVAL_MS: '3600001' })))).toHaveLength(1);
    expect(settingsOf(readWorkerEnv(env({ REPOVISOR_GRACE_MS: '86400000' }))).graceMs).toBe(86_400_000);
    for (const text of ['86400001', '-1', '2.5', '1s']) {
      expect(problemsOf(readWorkerEnv(env({ REPOVISOR_GRACE_MS: text })))).toEqual([
        'REPOVISOR_GRACE_MS: REPOVISOR_GRACE_MS must be a whole number of milliseconds from 0 to 86400000',
      ]);
    }
  });

  it('parses the control address, IPv6 in brackets included', () => {
    expect(settingsOf(readWorkerEnv(env({ REPOVISOR_CONTROL: 'localhost:7000', REPOVISOR_TOKEN: TOKEN }))).control).toEqual({ host: 'localhost', port: 7000 });
    expect(settingsOf(readWorkerEnv(env({ REPOVISOR_CONTROL: '[::1]:7000', REPOVISOR_TOKEN: TOKEN }))).control).toEqual({ host: '::1', port: 7000 });
  });

  it.each(['nowhere', ':7000', 'localhost:', 'localhost:port', '::1:7000', 'localhost:123456'])('refuses REPOVISOR_CONTROL=%j', (text) => {
    expect(problemsOf(readWorkerEnv(env({ REPOVISOR_CONTROL: text, REPOVISOR_TOKEN: TOKEN })))).toEqual([
      'REPOVISOR_CONTROL: REPOVISOR_CONTROL must be host:port, e.g. 127.0.0.1:7000',
    ]);
  });

  it.each(['localhost:0', '127.0.0.1:99999'])('refuses the control port of %j', (text) => {
    expect(problemsOf(readWorkerEnv(env({ REPOVISOR_CONTROL: text, REPOVISOR_TOKEN: TOKEN })))).toEqual(['REPOVISOR_CONTROL: the port must be between 1 and 65535']);
  });

  it('requires a token with a control address', () => {
    const problems = problemsOf(readWorkerEnv(env({ REPOVISOR_CONTROL: '127.0.0.1:7000' })));
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^REPOVISOR_TOKEN: required/);
  });

  it('refuses a token shorter than 16 characters, with or without control', () => {
    const expected = ['REPOVISOR_TOKEN: REPOVISOR_TOKEN must be at least 16 characters'];
    expect(problemsOf(readWorkerEnv(env({ REPOVISOR_TOKEN: 'x'.repeat(15) })))).toEqual(expected);
    expect(problemsOf(readWorkerEnv(env({ REPOVISOR_CONTROL: '127.0.0.1:7000', REPOVISOR_TOKEN: 'x'.repeat(15) })))).toEqual(expected);
    expect(settingsOf(readWorkerEnv(env({ REPOVISOR_TOKEN: 'x'.repeat(16) }))).token).toBe('x'.repeat(16));
  });

  it('accepts the pino levels and refuses anything else', () => {
    for (const level of ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']) {
      expect(settingsOf(readWorkerEnv(env({ REPOVISOR_LOG_LEVEL: level }))).logLevel).toBe(level);
    }
    expect(problemsOf(readWorkerEnv(env({ REPOVISOR_LOG_LEVEL: 'INFO' })))).toEqual([
      'REPOVISOR_LOG_LEVEL: REPOVISOR_LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent',
    ]);
  });
});
