import * as fs from 'node:fs';
import { promisify } from 'node:util';

// The `node:fs` calls the worker's start path makes, as promises, made from
// node:fs's callback functions: importing `node:fs/promises` loads a dozen more
// of node's internal modules (readline among them) into every worker's start
// (docs/BENCHMARKS.md, "What each start-up trick buys"). Same arguments, results and errors as the
// functions of the same names in node:fs/promises, except `open`, which
// resolves with a file descriptor, not a FileHandle.

/** fs.mkdir as a promise. */
export const mkdir = promisify(fs.mkdir);
/** fs.readFile as a promise. */
export const readFile = promisify(fs.readFile);
/** fs.readdir as a promise. */
export const readdir = promisify(fs.readdir);
/** fs.rename as a promise. */
export const rename = promisify(fs.rename);
/** fs.stat as a promise. */
export const stat = promisify(fs.stat);
/** fs.unlink as a promise. */
export const unlink = promisify(fs.unlink);
/** fs.appendFile as a promise. */
export const appendFile = promisify(fs.appendFile);
/** fs.writeFile as a promise (to a path or a file descriptor). */
export const writeFile = promisify(fs.writeFile);
/** fs.open as a promise: resolves with a file descriptor. */
export const open = promisify(fs.open);
/** fs.fsync as a promise. */
export const fsync = promisify(fs.fsync);
/** fs.close as a promise. */
export const close = promisify(fs.close);
/** fs.chmod as a promise. */
export const chmod = promisify(fs.chmod);
/** fs.fchmod as a promise. */
export const fchmod = promisify(fs.fchmod);
/** fs.lstat as a promise. */
export const lstat = promisify(fs.lstat);
