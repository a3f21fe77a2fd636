/**
 * execa, re-exported from a module of our own so that it can be loaded lazily
 * (`import('./execa-library.js')`) from the bundle: only the git calls of
 * config/repo-identity.ts use it, and they are off the start path.
 */
export { execa } from 'execa';
