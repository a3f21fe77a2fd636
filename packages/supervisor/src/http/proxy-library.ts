/**
 * http-proxy-middleware, re-exported from a module of our own so that it can be
 * loaded lazily (`import('./proxy-library.js')`) from the bundle too: a
 * bundler gives a lazily imported CommonJS package only a default export.
 */
export { createProxyMiddleware, fixRequestBody } from 'http-proxy-middleware';
