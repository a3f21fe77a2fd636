import { describe, expect, it } from '@jest/globals';
import { ConfigFileSchema, defaultSettings, formatConfigIssues, formatIssuePath, toSettings } from '../src/config/config-schema.js';

/** The problem lines of a `repos.yaml` given as its parsed value, or [] when it is valid. */
function problemsOf(file: unknown): string[] {
  const parsed = ConfigFileSchema.safeParse(file);
  return parsed.success ? [] : formatConfigIssues(parsed.error);
}

const portRange = 'must be a whole number from 0 to 65535 (0 picks a free port)';

describe('ConfigFileSchema', () => {
  it('accepts a file with every key set, and an empty file', () => {
    const full = {
      supervisor: {
        home: 'state',
        http: { host: 'localhost', port: 0, request_timeout_ms: 100, headers_timeout_ms: 100 },
        control: { host: '127.0.0.1', port: 65_535, legacy_clients: false, hello_timeout_ms: 100 },
        health: { interval_ms: 10, timeout_ms: 10, failure_threshold: 1, http_interval_ms: 0 },
        restart: { initial_delay_ms: 0, max_delay_ms: 0, max_restarts: 0, window_ms: 10, stable_after_ms: 0 },
        start_timeout_ms: 10,
        stop_timeout_ms: 10,
        grace_ms: 86_400_000,
        log_max_bytes: 1024,
      },
      repos: [{ path: 'a', slug: 'acme/a', autostart: true, env: { A_1: 'x', _B: '' } }],
    };
    expect(problemsOf(full)).toEqual([]);
    expect(problemsOf({})).toEqual([]);
    expect(problemsOf({ supervisor: null, repos: null })).toEqual([]);
    expect(problemsOf({ supervisor: { http: null, control: null, health: null, restart: null }, repos: [{ path: 'a', env: null }] })).toEqual([]);
  });

  it('names what it got when a whole number is wrong', () => {
    const port = (value: unknown) => problemsOf({ supervisor: { http: { port: value } } });
    expect(port('x')).toEqual([`supervisor.http.port: ${portRange}, got "x"`]);
    expect(port(null)).toEqual([`supervisor.http.port: ${portRange}, got null`]);
    expect(port(true)).toEqual([`supervisor.http.port: ${portRange}, got true`]);
    expect(port([1])).toEqual([`supervisor.http.port: ${portRange}, got a list`]);
    expect(port({})).toEqual([`supervisor.http.port: ${portRange}, got a mapping`]);
    expect(port(1.5)).toEqual([`supervisor.http.port: ${portRange}, got 1.5`]);
    expect(port(-1)).toEqual([`supervisor.http.port: ${portRange}, got -1`]);
    expect(port(65_536)).toEqual([`supervisor.http.port: ${portRange}, got 65536`]);
  });

  it('holds every number to its range, in milliseconds or bytes', () => {
    expect(problemsOf({ supervisor: { stop_timeout_ms: 9 } })).toEqual(['supervisor.stop_timeout_ms: must be a whole number from 10 to 86400000 (milliseconds), got 9']);
    expect(problemsOf({ supervisor: { grace_ms: 86_400_001 } })).toEqual(['supervisor.grace_ms: must be a whole number from 10 to 86400000 (milliseconds), got 86400001']);
    expect(problemsOf({ supervisor: { control: { hello_timeout_ms: 99 } } })).toEqual([
      'supervisor.control.hello_timeout_ms: must be a whole number from 100 to 86400000 (milliseconds), got 99',
    ]);
    expect(problemsOf({ supervisor: { health: { failure_threshold: 0 } } })).toEqual(['supervisor.health.failure_threshold: must be a whole number from 1 to 1000, got 0']);
    expect(problemsOf({ supervisor: { restart: { max_restarts: 1001 } } })).toEqual(['supervisor.restart.max_restarts: must be a whole number from 0 to 1000, got 1001']);
    expect(problemsOf({ supervisor: { log_max_bytes: 1023 } })).toEqual([
      `supervisor.log_max_bytes: must be a whole number from 1024 to ${Number.MAX_SAFE_INTEGER} (bytes), got 1023`,
    ]);
  });

  it('wants a host that is a non-empty string, and true or false for a flag', () => {
    expect(problemsOf({ supervisor: { http: { host: '  ' } } })).toEqual(['supervisor.http.host: must not be empty']);
    expect(problemsOf({ supervisor: { control: { host: 5 } } })).toEqual(['supervisor.control.host: must be a host name or address, e.g. 127.0.0.1']);
    expect(problemsOf({ supervisor: { control: { legacy_clients: 'yes' } } })).toEqual(['supervisor.control.legacy_clients: must be true or false, got "yes"']);
    expect(problemsOf({ repos: [{ path: 'a', autostart: 1 }] })).toEqual(['repos[0].autostart: must be true or false, got 1']);
    expect(problemsOf({ supervisor: { home: '' } })).toEqual(['supervisor.home: must not be empty']);
    expect(problemsOf({ supervisor: { home: 3 } })).toEqual(['supervisor.home: must be a folder path']);
  });

  it('names the keys a mapping accepts, for an unknown key and for a value that is no mapping', () => {
    expect(problemsOf({ other: 1, more: 2 })).toEqual([
      'other: unknown key (expected one of: supervisor, repos)',
      'more: unknown key (expected one of: supervisor, repos)',
    ]);
    expect(problemsOf('text')).toEqual(['(top level): must be a mapping (expected one of: supervisor, repos), got "text"']);
    expect(problemsOf(undefined)).toEqual(['(top level): must be a mapping (expected one of: supervisor, repos), got nothing']);
    expect(problemsOf({ supervisor: { http: 5 } })).toEqual([
      'supervisor.http: must be a mapping (expected one of: host, port, request_timeout_ms, headers_timeout_ms), got 5',
    ]);
    expect(problemsOf({ supervisor: { restart: { backoff: 2 } } })).toEqual([
      'supervisor.restart.backoff: unknown key (expected one of: initial_delay_ms, max_delay_ms, max_restarts, window_ms, stable_after_ms)',
    ]);
    expect(problemsOf({ repos: [{ path: 'a', name: 'x' }] })).toEqual(['repos[0].name: unknown key (expected one of: path, slug, autostart, env, pipeline)']);
  });

  it('wants max_delay_ms at least initial_delay_ms, taking the default of the one not given', () => {
    expect(problemsOf({ supervisor: { restart: { initial_delay_ms: 1000, max_delay_ms: 500 } } })).toEqual([
      'supervisor.restart.max_delay_ms: must be at least initial_delay_ms (1000), got 500',
    ]);
    expect(problemsOf({ supervisor: { restart: { max_delay_ms: 499 } } })).toEqual(['supervisor.restart.max_delay_ms: must be at least initial_delay_ms (500), got 499']);
    expect(problemsOf({ supervisor: { restart: { initial_delay_ms: 30_001 } } })).toEqual([
      'supervisor.restart.max_delay_ms: must be at least initial_delay_ms (30001), got 30000',
    ]);
    expect(problemsOf({ supervisor: { restart: { initial_delay_ms: 700, max_delay_ms: 700 } } })).toEqual([]);
    expect(problemsOf({ supervisor: { restart: { initial_delay_ms: 30_000 } } })).toEqual([]);
  });

  it('describes each problem of a repos entry', () => {
    expect(problemsOf({ repos: 'x' })).toEqual(['repos: must be a list of repositories, got "x"']);
    expect(problemsOf({ repos: [{}] })).toEqual(['repos[0].path: is required: the folder of a git repository']);
    expect(problemsOf({ repos: [{ path: '' }] })).toEqual(['repos[0].path: must not be empty']);
    expect(problemsOf({ repos: [{ path: 'a', slug: 5 }] })).toEqual(['repos[0].slug: must be a slug such as "owner/repo" or "name" (quoted), got 5']);
    expect(problemsOf({ repos: [{ path: 'a', slug: 'a/b/c' }] })).toEqual([
      'repos[0].slug: invalid slug "a/b/c": must be "owner/repo" or "name" (at most one "/")',
    ]);
  });

  it('checks the names of env variables and their values in one pass', () => {
    expect(problemsOf({ repos: [{ path: 'a', env: { '1A': 'x', repovisor_x: 'y', OK: 1 } }] })).toEqual([
      'repos[0].env.OK: must be a string (quote numbers and booleans), got 1',
      'repos[0].env.1A: is not a valid variable name (letters, digits and "_", not starting with a digit)',
      'repos[0].env.repovisor_x: is reserved: the supervisor sets REPOVISOR_* variables itself',
    ]);
    expect(problemsOf({ repos: [{ path: 'a', env: { 'A-B': 'x', 'A ': 'y', ' A': 'z', A1_: 'ok', MY_REPOVISOR_X: 'ok' } }] })).toEqual([
      'repos[0].env.A-B: is not a valid variable name (letters, digits and "_", not starting with a digit)',
      'repos[0].env.A : is not a valid variable name (letters, digits and "_", not starting with a digit)',
      'repos[0].env. A: is not a valid variable name (letters, digits and "_", not starting with a digit)',
    ]);
  });

  it('says once that env must be a mapping when it is a list or a string', () => {
    expect(problemsOf({ repos: [{ path: 'a', env: ['A'] }] })).toEqual(['repos[0].env: must be a mapping of variable names to strings, got a list']);
    expect(problemsOf({ repos: [{ path: 'a', env: 'A=1' }] })).toEqual(['repos[0].env: must be a mapping of variable names to strings, got "A=1"']);
  });
});

describe('toSettings', () => {
  it('fills every default for a missing or empty section and keeps the home it is given', () => {
    expect(toSettings(undefined, '/srv/home')).toEqual(defaultSettings('/srv/home'));
    expect(toSettings(null, '/srv/home')).toEqual(defaultSettings('/srv/home'));
    expect(toSettings({ home: '/elsewhere', http: {}, control: {}, health: {}, restart: {} }, '/srv/home')).toEqual(defaultSettings('/srv/home'));
  });

  it('takes each key from the section, falsy values included', () => {
    const settings = toSettings(
      {
        http: { host: '::1', port: 0, request_timeout_ms: 101, headers_timeout_ms: 102 },
        control: { host: 'localhost', port: 0, legacy_clients: true, hello_timeout_ms: 103 },
        health: { interval_ms: 11, timeout_ms: 12, failure_threshold: 4, http_interval_ms: 0 },
        restart: { initial_delay_ms: 0, max_delay_ms: 13, max_restarts: 0, window_ms: 14, stable_after_ms: 0 },
        start_timeout_ms: 15,
        stop_timeout_ms: 16,
        grace_ms: 17,
        log_max_bytes: 2000,
      },
      '/h',
    );
    expect(settings).toEqual({
      home: '/h',
      http: { host: '::1', port: 0, requestTimeoutMs: 101, headersTimeoutMs: 102 },
      control: { host: 'localhost', port: 0, legacyClients: true, helloTimeoutMs: 103 },
      health: { intervalMs: 11, timeoutMs: 12, failureThreshold: 4, httpIntervalMs: 0 },
      restart: { initialDelayMs: 0, maxDelayMs: 13, maxRestarts: 0, windowMs: 14, stableAfterMs: 0 },
      startTimeoutMs: 15,
      stopTimeoutMs: 16,
      graceMs: 17,
      logMaxBytes: 2000,
    });
  });

  it('has the documented defaults', () => {
    expect(defaultSettings('/h')).toEqual({
      home: '/h',
      http: { host: '127.0.0.1', port: 8765, requestTimeoutMs: 30_000, headersTimeoutMs: 10_000 },
      control: { host: '127.0.0.1', port: 0, legacyClients: false, helloTimeoutMs: 10_000 },
      health: { intervalMs: 5000, timeoutMs: 2000, failureThreshold: 3, httpIntervalMs: 10_000 },
      restart: { initialDelayMs: 500, maxDelayMs: 30_000, maxRestarts: 5, windowMs: 60_000, stableAfterMs: 10_000 },
      startTimeoutMs: 10_000,
      stopTimeoutMs: 5000,
      graceMs: 30_000,
      logMaxBytes: 10_485_760,
    });
  });

  it('resolves a relative home to an absolute path', () => {
    expect(defaultSettings('rel/home').home).toBe(`${process.cwd()}/rel/home`);
  });
});

describe('formatIssuePath', () => {
  it('writes keys with dots and list indexes in brackets, and names the top level', () => {
    expect(formatIssuePath([])).toBe('(top level)');
    expect(formatIssuePath(['repos', 2, 'env', 'FOO'])).toBe('repos[2].env.FOO');
    expect(formatIssuePath([0, 'path'])).toBe('[0].path');
    expect(formatIssuePath(['supervisor'])).toBe('supervisor');
  });
});
