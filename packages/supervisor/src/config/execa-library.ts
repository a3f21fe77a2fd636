/**
 * execa, re-exported from a module of our own and imported lazily
 * (`import('./execa-library.js')`): only the git calls of
 * config/repo-identity.ts use it, and they are off the start path; the bundle
 * reads it from its own file (`vendor-execa.cjs`) on first use.
 */
export { execa } from 'execa';
