/**
 * yaml's `parse`, re-exported from a module of our own so that it can be
 * loaded lazily (`import('./yaml-library.js')`) from the bundle too: a bundler
 * gives a lazily imported CommonJS package only a default export.
 */
export { parse } from 'yaml';
