import type { RepoRecord } from '../../src/manager/repo-record.js';
import { newWorkerToken } from '../../src/state/state-schema.js';

/** A repo record for tests of the manager: `slug` at `/nowhere/<slug>`, not autostarted, no worker yet; `overrides` win. */
export function testRepoRecord(slug: string, overrides: Partial<RepoRecord> = {}): RepoRecord {
  return {
    slug,
    path: `/nowhere/${slug}`,
    autostart: false,
    env: {},
    source: 'config',
    addedAt: new Date().toISOString(),
    token: newWorkerToken(),
    pid: null,
    pidStartTicks: null,
    httpPort: null,
    ...overrides,
  };
}
