import type { WorkerLogger } from '../log/worker-logger.js';
import { slugKey } from '@repovisor/protocol';
import { RepoRuntime } from './repo-runtime.js';
import type { RepoRuntimeConfig } from './repo-runtime-config.js';

/** Refusal to register a second runtime under a slug already held. */
export class DuplicateRuntimeError extends Error {
  override readonly name = 'DuplicateRuntimeError';
  constructor(readonly slug: string) {
    super(`A runtime for "${slug}" is already registered`);
  }
}

/**
 * The runtimes of a worker, by slug. In Repovisor's process-per-repo model it
 * holds exactly one; it exists so that `/api/runtimes` introspects the local
 * runtime without special cases. `get` accepts `owner/repo` and `owner-repo`.
 */
export class RepoRuntimeRegistry {
  private readonly runtimes = new Map<string, RepoRuntime>();

  constructor(private readonly logger: WorkerLogger) {}

  /** Adds an already created runtime; a second one with the same slug is refused. */
  register(runtime: RepoRuntime): RepoRuntime {
    const key = slugKey(runtime.slug);
    if (this.runtimes.has(key)) throw new DuplicateRuntimeError(runtime.slug);
    this.runtimes.set(key, runtime);
    return runtime;
  }

  /** Creates a runtime through {@link RepoRuntime.create} and registers it. */
  async add(config: RepoRuntimeConfig): Promise<RepoRuntime> {
    if (this.get(config.slug) !== undefined) throw new DuplicateRuntimeError(config.slug);
    return this.register(await RepoRuntime.create(config, this.logger));
  }

  /** The runtime of `slug` (`owner/repo` or `owner-repo`), if registered. */
  get(slug: string): RepoRuntime | undefined {
    return this.runtimes.get(slugKey(slug));
  }

  /** Stops (when running) and unregisters the runtime of `slug`; false when there was none. */
  async remove(slug: string): Promise<boolean> {
    const runtime = this.get(slug);
    if (runtime === undefined) return false;
    this.runtimes.delete(slugKey(runtime.slug));
    await runtime.ensureStopped();
    await runtime.flush();
    return true;
  }

  /** Every registered runtime. */
  all(): RepoRuntime[] {
    return [...this.runtimes.values()];
  }

  /** The registered slugs, as given (`owner/repo`). */
  slugs(): string[] {
    return this.all().map((runtime) => runtime.slug);
  }

  /** Starts every runtime that is not running. */
  async startAll(): Promise<void> {
    await Promise.all(this.all().filter((runtime) => !runtime.running).map((runtime) => runtime.start()));
  }

  /** Stops every running runtime and waits for their files to be written. */
  async stopAll(): Promise<void> {
    await Promise.all(
      this.all().map(async (runtime) => {
        await runtime.ensureStopped();
        await runtime.flush();
      }),
    );
  }
}
