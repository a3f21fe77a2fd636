/**
 * yaml's `parse`, re-exported from a module of our own and imported lazily
 * (`import('./yaml-library.js')`): the client commands parse repos.yaml only
 * when they must find the home through it, and the bundle runs yaml's module
 * code only then.
 */
export { parse } from 'yaml';
