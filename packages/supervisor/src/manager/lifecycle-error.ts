import type { RepoState } from './repo-state.js';

/** An operator's lifecycle action that the repo's current state does not allow (HTTP 409). */
export class LifecycleConflictError extends Error {
  override readonly name = 'LifecycleConflictError';
  constructor(
    readonly slug: string,
    readonly action: string,
    readonly state: RepoState,
  ) {
    super(`Cannot ${action} ${slug}: it is ${state}`);
  }
}
