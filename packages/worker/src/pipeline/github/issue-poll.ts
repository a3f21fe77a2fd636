import { isNotModified } from './github-api.js';
import type { Call, GithubApi } from './github-api.js';

// The poll for a stage label's open issues, page by page with conditional
// requests: each page's ETag is sent back as If-None-Match, and a page GitHub
// answers 304 Not Modified is the one kept from before, at no cost to the
// rate limit.

/** An open issue as the pipeline reads it. */
export interface GithubIssue {
  number: number;
  title: string;
  body: string;
  labels: string[];
  url: string;
}

interface CachedPage {
  etag: string;
  issues: GithubIssue[];
  hasNext: boolean;
}

const PER_PAGE = 100;

/** Lists open issues by label, remembering each page's ETag. */
export class IssuePoll {
  private readonly pages = new Map<string, CachedPage>();

  constructor(private readonly api: GithubApi) {}

  /** The open issues (not pull requests) carrying `label`; `unchanged` when every page was answered 304. */
  async list(label: string): Promise<Call<{ issues: GithubIssue[]; unchanged: boolean }>> {
    const issues: GithubIssue[] = [];
    let unchanged = true;
    for (let page = 1; ; page++) {
      const key = `${label}\n${page}`;
      const cached = this.pages.get(key);
      const got = await this.api.call(`listing the open issues labelled ${label} in ${this.api.slug}`, () => this.fetchPage(label, page, cached));
      if (!got.ok) return got;
      if (got.value !== cached) unchanged = false;
      this.pages.set(key, got.value);
      issues.push(...got.value.issues);
      if (!got.value.hasNext) break;
    }
    return { ok: true, value: { issues, unchanged } };
  }

  private async fetchPage(label: string, page: number, cached: CachedPage | undefined): Promise<CachedPage> {
    try {
      const answer = await this.api.octokit.rest.issues.listForRepo({
        ...this.api.repo,
        labels: label,
        state: 'open',
        per_page: PER_PAGE,
        page,
        headers: cached === undefined ? {} : { 'if-none-match': cached.etag },
      });
      return {
        etag: answer.headers.etag ?? '',
        hasNext: /rel="next"/.test(answer.headers.link ?? ''),
        issues: answer.data
          .filter((issue) => issue.pull_request === undefined)
          .map((issue) => ({
            number: issue.number,
            title: issue.title,
            body: issue.body ?? '',
            labels: issue.labels.map((each) => (typeof each === 'string' ? each : (each.name ?? ''))).filter((name) => name !== ''),
            url: issue.html_url,
          })),
      };
    } catch (error) {
      if (cached !== undefined && isNotModified(error)) return cached;
      throw error;
    }
  }
}
