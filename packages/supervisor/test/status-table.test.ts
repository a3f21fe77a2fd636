import { describe, expect, it } from '@jest/globals';
import { lastError, statusTable } from '../src/cli/status-table.js';
import type { RepoView } from '../src/manager/repo-record.js';

function view(overrides: Partial<RepoView>): RepoView {
  return {
    slug: 'acme/alpha',
    path: '/srv/alpha',
    status: 'running',
    pid: 4242,
    restarts: 0,
    uptime_seconds: 12,
    last_error: null,
    last_probe: { ok: true, latency_ms: 2.04, at: '2026-12-02T15:00:00.000Z' },
    runtime_url: '/api/repos/acme/alpha/runtimes',
    autostart: true,
    http_port: 40000,
    source: 'config',
    added_at: '2026-12-02T14:00:00.000Z',
    runtime: { running: true, session_id: 's', last_error: null },
    log_file: '/srv/home/logs/acme-alpha.log',
    ...overrides,
  };
}

describe('the LAST ERROR cell of supervisor status', () => {
  it("shows the runtime's own error, as runtime: …, over why the worker last went down", () => {
    const failing = view({ last_error: 'worker killed by SIGKILL', runtime: { running: true, session_id: 's', last_error: 'repo-watcher failed: repository folder missing: /srv/alpha' } });
    expect(lastError(failing)).toBe('runtime: repo-watcher failed: repository folder missing: /srv/alpha');
    expect(statusTable([failing]).split('\n')[1]).toMatch(/^acme\/alpha\s+running\s+4242\s+0\s+12s\s+ok 2\.0ms\s+runtime: repo-watcher failed: repository folder missing: \/srv\/alpha$/);
  });

  it("shows the worker's last_error when the runtime reports none, and nothing when neither has one", () => {
    expect(lastError(view({ last_error: 'worker killed by SIGKILL' }))).toBe('worker killed by SIGKILL');
    expect(lastError(view({ last_error: 'worker exited with code 1', runtime: null }))).toBe('worker exited with code 1');
    expect(lastError(view({}))).toBe('');
  });

  it('reads an entry from a supervisor whose runtime field has no last_error', () => {
    const older = view({ last_error: 'worker killed by SIGKILL', runtime: { running: true, session_id: 's' } as RepoView['runtime'] });
    expect(lastError(older)).toBe('worker killed by SIGKILL');
  });
});
