import { Octokit } from '@octokit/rest';
import type { Result } from '@repovisor/kit';
import { githubFailure } from './github-failure.js';
import type { GithubFailure } from './github-failure.js';
import type { GithubRepo } from './github-repo.js';

// One repository's GitHub REST API through Octokit, every call's failure a
// value. A rate-limited call waits for the limit to end and is tried again,
// as GitHub asks, while the wait is short; a longer one comes back as a
// `rate_limited` failure with the time it ends, for the pipeline to pause on.

/** What {@link GithubApi} needs. */
export interface GithubApiOptions {
  token: string;
  /** `pipeline.api_url`: https://api.github.com, or a GitHub Enterprise server's API. */
  apiUrl: string;
  repo: GithubRepo;
  /** The longest rate-limit wait a call sits out itself (default one minute). */
  maxRateLimitWaitMs?: number;
  /** Waits; injected so that a test need not. */
  sleep?: (ms: number) => Promise<void>;
}

/** How often one call is tried again after a rate limit. */
const RATE_LIMIT_RETRIES = 3;

const silent = () => undefined;

/** The result of one call: its value, or why it failed. */
export type Call<T> = Result<{ value: T }, GithubFailure>;

/** A repository's API: the Octokit client and {@link GithubApi.call}. */
export class GithubApi {
  /** The Octokit client (its own logging off: failures come back as values and are logged by the pipeline). */
  readonly octokit: Octokit;
  readonly repo: GithubRepo;
  private readonly maxWait: number;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(options: GithubApiOptions) {
    this.octokit = new Octokit({
      auth: options.token,
      baseUrl: options.apiUrl.replace(/\/+$/, ''),
      userAgent: 'repovisor',
      log: { debug: silent, info: silent, warn: silent, error: silent },
    });
    this.repo = options.repo;
    this.maxWait = options.maxRateLimitWaitMs ?? 60_000;
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  }

  /** `owner/name`, for messages. */
  get slug(): string {
    return `${this.repo.owner}/${this.repo.repo}`;
  }

  /** Runs `request`, sitting out short rate limits; `what` names the call in a failure's message. */
  async call<T>(what: string, request: () => Promise<T>): Promise<Call<T>> {
    for (let attempt = 0; ; attempt++) {
      try {
        return { ok: true, value: await request() };
      } catch (error) {
        const failure = githubFailure(error, what);
        const wait = failure.retryAt === undefined ? Infinity : failure.retryAt - Date.now();
        if (failure.kind !== 'rate_limited' || attempt >= RATE_LIMIT_RETRIES || wait > this.maxWait) return { ok: false, ...failure };
        await this.sleep(Math.max(0, wait));
      }
    }
  }
}

/** Whether an Octokit error is GitHub's 304 Not Modified answer to a conditional request. */
export function isNotModified(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { status?: unknown }).status === 304;
}
