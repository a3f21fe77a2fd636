/**
 * http-proxy-middleware, re-exported from a module of our own and imported
 * lazily (`import('./proxy-library.js')`): the package is read, from its own
 * file in the bundle (`vendor-http-proxy-middleware.cjs`), only by the first
 * request for a worker's `/api/runtimes`.
 */
export { createProxyMiddleware, fixRequestBody } from 'http-proxy-middleware';
