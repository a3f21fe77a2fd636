import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { etagOf, failure, notFound } from './fake-github/answer.js';
import type { FakeAnswer, FakeRequest } from './fake-github/answer.js';
import { comments, issue, issueLabels, labels, listIssues, repository } from './fake-github/issue-routes.js';
import { deleteRef, merge, pull, pulls, review } from './fake-github/pull-routes.js';
import { FakeStore } from './fake-github/store.js';

// A local stand-in for GitHub's REST API (the subset the GitHub source uses)
// on 127.0.0.1, with GitHub's status codes, shapes, rate-limit headers,
// pagination and conditional requests. Its one repository's git side is a
// bare repository the test owns: branches are pushed there by path, and a
// merge through the API squash-merges in it.

/** One request the server got, for assertions. */
export interface RecordedRequest {
  method: string;
  path: string;
  query: string;
  body: unknown;
  status: number;
}

/** The fake server's options: the repository `owner/repo`, its bare git remote, and the tokens it accepts. */
export interface FakeGithubOptions {
  owner: string;
  repo: string;
  bare: string;
  /** Token → its permission; a token not here is a bad credential (401). */
  tokens: Record<string, 'read' | 'write'>;
  rateLimit?: number;
}

const RESET_SECONDS = 3600;

/** The fake GitHub server. */
export class FakeGithub {
  readonly requests: RecordedRequest[] = [];
  readonly store: FakeStore;
  private used = 0;
  private throttled: { status: 429 | 403; retryAfterSeconds: number; times: number } | null = null;

  private constructor(
    private readonly server: Server,
    readonly url: string,
    private readonly options: FakeGithubOptions,
  ) {
    this.store = new FakeStore(url, options.owner, options.repo);
  }

  /** Starts a server on an ephemeral loopback port. */
  static async start(options: FakeGithubOptions): Promise<FakeGithub> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    if (address === null || typeof address === 'string') throw new Error('the fake GitHub server has no TCP address');
    const fake = new FakeGithub(server, `http://127.0.0.1:${address.port}`, options);
    server.on('request', (req, res) => void fake.serve(req, res));
    return fake;
  }

  /** Stops the server, ending open connections. */
  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** The next `times` requests answer 429 with retry-after, or 403 with `x-ratelimit-remaining: 0` and a reset that far ahead. */
  throttle(status: 429 | 403, retryAfterSeconds: number, times = 1): void {
    this.throttled = { status, retryAfterSeconds, times };
  }

  /** Requests that counted against the rate limit. */
  get rateLimitUsed(): number {
    return this.used;
  }

  /** Adds an open issue with labels (created as labels of the repository too); resolves its number. */
  addIssue(title: string, labelNames: string[], body = ''): number {
    for (const name of labelNames) if (!this.store.labels.has(name)) this.store.labels.set(name, { id: this.store.id(), color: 'ededed', description: null });
    const number = this.store.number();
    this.store.issues.set(number, { number, title, body, state: 'open', labels: [...labelNames], updatedAt: new Date().toISOString() });
    this.store.touch();
    return number;
  }

  /** The requests other than reads, as `METHOD /path`, in order. */
  writes(): string[] {
    return this.requests.filter((request) => request.method !== 'GET').map((request) => `${request.method} ${request.path}`);
  }

  private async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    const url = new URL(req.url ?? '/', this.url);
    const path = decodeURIComponent(url.pathname);
    let body: Record<string, unknown> = {};
    try {
      body = text === '' ? {} : (JSON.parse(text) as Record<string, unknown>);
    } catch {
      this.send(res, { status: 400, body: { message: 'Problems parsing JSON' } }, true);
      return;
    }
    const answer = await this.answer(req, { method: req.method ?? 'GET', path, query: url.searchParams, body, access: 'read' });
    this.requests.push({ method: req.method ?? 'GET', path, query: url.search, body: text === '' ? null : body, status: answer.status });
    this.send(res, answer, answer.status !== 304);
  }

  private async answer(req: IncomingMessage, request: FakeRequest): Promise<FakeAnswer> {
    const token = /^(?:token|bearer)\s+(.+)$/i.exec(req.headers.authorization ?? '')?.[1];
    const access = token === undefined ? undefined : this.options.tokens[token];
    if (access === undefined) return failure(401, 'Bad credentials');
    request.access = access;
    if (this.throttled !== null && this.throttled.times > 0) {
      const { status, retryAfterSeconds } = this.throttled;
      this.throttled.times--;
      if (status === 429) {
        return { ...failure(429, 'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.'), headers: { 'retry-after': String(retryAfterSeconds) } };
      }
      return { ...failure(403, 'API rate limit exceeded for user ID 1.'), headers: { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(Math.ceil(Date.now() / 1000) + retryAfterSeconds) } };
    }
    if (request.method !== 'GET' && access === 'read') {
      return { ...failure(403, 'Resource not accessible by integration'), headers: { 'x-accepted-github-permissions': acceptedPermission(request.path) } };
    }
    const answer = await this.route(request);
    if (request.method === 'GET' && answer.status === 200) {
      const etag = etagOf(answer.body);
      answer.headers = { ...answer.headers, etag };
      // A conditional request answered 304 does not count against the rate limit (GitHub's REST docs).
      if (req.headers['if-none-match'] === etag) return { status: 304, headers: { etag } };
    }
    return answer;
  }

  private async route(request: FakeRequest): Promise<FakeAnswer> {
    const { method, path } = request;
    if (path === '/user' && method === 'GET') return { status: 200, body: { login: 'octocat', id: 1, type: 'User' } };
    const prefix = `/repos/${this.options.owner}/${this.options.repo}`;
    if (!path.startsWith(prefix)) return notFound();
    const rest = path.slice(prefix.length);
    const bare = this.options.bare;
    const store = this.store;
    let match: RegExpExecArray | null;
    if (rest === '' && method === 'GET') return repository(store, request);
    if (rest === '/labels' && (method === 'GET' || method === 'POST')) return labels(store, request);
    if (rest === '/issues' && method === 'GET') return listIssues(store, request);
    if ((match = /^\/issues\/(\d+)$/.exec(rest)) && (method === 'GET' || method === 'PATCH')) return issue(store, request, Number(match[1]));
    if ((match = /^\/issues\/(\d+)\/labels(?:\/(.+))?$/.exec(rest))) return issueLabels(store, request, Number(match[1]), match[2]);
    if ((match = /^\/issues\/(\d+)\/comments$/.exec(rest)) && (method === 'GET' || method === 'POST')) return comments(store, request, Number(match[1]));
    if (rest === '/pulls' && (method === 'GET' || method === 'POST')) return pulls(store, bare, request);
    if ((match = /^\/pulls\/(\d+)$/.exec(rest)) && method === 'GET') return pull(store, bare, Number(match[1]));
    if ((match = /^\/pulls\/(\d+)\/merge$/.exec(rest)) && method === 'PUT') return merge(store, bare, request, Number(match[1]));
    if ((match = /^\/pulls\/(\d+)\/reviews$/.exec(rest)) && method === 'POST') return review(store, request, Number(match[1]));
    if ((match = /^\/git\/refs\/heads\/(.+)$/.exec(rest)) && method === 'DELETE') return deleteRef(bare, match[1] ?? '');
    return notFound();
  }

  private send(res: ServerResponse, answer: FakeAnswer, counts: boolean): void {
    if (counts) this.used++;
    const limit = this.options.rateLimit ?? 5000;
    const headers: Record<string, string> = {
      'x-ratelimit-limit': String(limit),
      'x-ratelimit-remaining': String(Math.max(0, limit - this.used)),
      'x-ratelimit-reset': String(Math.ceil(Date.now() / 1000) + RESET_SECONDS),
      'x-ratelimit-used': String(this.used),
      'x-ratelimit-resource': 'core',
      'x-github-api-version-selected': '2022-11-28',
      ...answer.headers,
    };
    if (answer.body === undefined || answer.status === 204 || answer.status === 304) {
      res.writeHead(answer.status, headers).end();
      return;
    }
    res.writeHead(answer.status, { ...headers, 'content-type': 'application/json; charset=utf-8' }).end(JSON.stringify(answer.body));
  }
}

// The permission a fine-grained token lacks for a write, as GitHub names it in x-accepted-github-permissions.
function acceptedPermission(path: string): string {
  if (/\/pulls/.test(path)) return 'pull_requests=write';
  if (/\/git\/refs/.test(path)) return 'contents=write';
  return 'issues=write';
}
