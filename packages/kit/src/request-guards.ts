import type { NextFunction, Request, Response } from 'express';
import { isLoopbackHost } from './loopback-host.js';
import { sameSecret } from './secrets.js';

const MUTATING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** Refuses (403) requests whose Host header is not a loopback name: a defence against DNS rebinding. */
export function requireLoopbackHost(request: Request, response: Response, next: NextFunction): void {
  if (isLoopbackHost(request.headers.host)) return next();
  response.status(403).json({ error: 'Forbidden: the Host header must name the loopback interface (localhost or 127.0.0.1)' });
}

/** Refuses (415) a mutating request that carries a body which is not `application/json`. */
export function requireJsonBody(request: Request, response: Response, next: NextFunction): void {
  const hasBody = Number(request.headers['content-length'] ?? 0) > 0 || request.headers['transfer-encoding'] !== undefined;
  if (!MUTATING.has(request.method) || !hasBody || request.is('application/json')) return next();
  response.status(415).json({ error: 'Unsupported Media Type: request bodies must be application/json' });
}

/**
 * Requires `Authorization: Bearer <token>` on mutating requests (401 otherwise).
 * With no token configured (a worker started by hand) every request passes.
 */
export function requireBearerToken(token: string | undefined) {
  return (request: Request, response: Response, next: NextFunction): void => {
    if (token === undefined || !MUTATING.has(request.method)) return next();
    const header = request.headers.authorization ?? '';
    const given = header.startsWith('Bearer ') ? header.slice('Bearer '.length).trim() : '';
    if (sameSecret(given, token)) return next();
    response.status(401).json({ error: 'Unauthorized: this call needs the bearer token (Authorization: Bearer <token>)' });
  };
}
