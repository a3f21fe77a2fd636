import { createHash } from 'node:crypto';

// What a route of the fake GitHub server gets and gives back.

/** A request as a route sees it: the body already parsed. */
export interface FakeRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  body: Record<string, unknown>;
  /** The token's permission: `write`, or `read` for a read-only token. */
  access: 'read' | 'write';
}

/** A route's answer; `page` lists get Link pagination, `etag` answers get ETag / If-None-Match. */
export interface FakeAnswer {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

const DOCS = 'https://docs.github.com/rest';

/** An error answer in GitHub's shape. */
export function failure(status: number, message: string, extra: Record<string, unknown> = {}): FakeAnswer {
  return { status, body: { message, documentation_url: DOCS, status: String(status), ...extra } };
}

/** 404 as GitHub gives it. */
export const notFound = (): FakeAnswer => failure(404, 'Not Found');

/** 422 Validation Failed with one error. */
export function invalid(resource: string, code: string, field: string, message?: string): FakeAnswer {
  return failure(422, 'Validation Failed', { errors: [{ resource, code, field, ...(message === undefined ? {} : { message }) }] });
}

/** A page of a list, with GitHub's `Link` header (`per_page` at most 100, default 30). */
export function paged(request: FakeRequest, base: string, items: unknown[]): FakeAnswer {
  const perPage = Math.min(100, Math.max(1, Number(request.query.get('per_page') ?? 30) || 30));
  const page = Math.max(1, Number(request.query.get('page') ?? 1) || 1);
  const last = Math.max(1, Math.ceil(items.length / perPage));
  const link = (n: number, rel: string) => {
    const query = new URLSearchParams(request.query);
    query.set('per_page', String(perPage));
    query.set('page', String(n));
    return `<${base}${request.path}?${query.toString()}>; rel="${rel}"`;
  };
  const links: string[] = [];
  if (page > 1) links.push(link(page - 1, 'prev'), link(1, 'first'));
  if (page < last) links.push(link(page + 1, 'next'), link(last, 'last'));
  return {
    status: 200,
    body: items.slice((page - 1) * perPage, page * perPage),
    headers: links.length > 0 ? { link: links.join(', ') } : {},
  };
}

/** A weak ETag of an answer's body, as GitHub sends on lists. */
export function etagOf(body: unknown): string {
  return `W/"${createHash('sha1').update(JSON.stringify(body)).digest('hex')}"`;
}

/** A string field of a body, or undefined. */
export function textField(body: Record<string, unknown>, key: string): string | undefined {
  const value = body[key];
  return typeof value === 'string' ? value : undefined;
}
