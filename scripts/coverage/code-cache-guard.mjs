// Keeps the programs from running through their default V8 code cache during a
// coverage run. V8 gives a function compiled from a code cache no block
// counters: its coverage is one count per function, so every branch of a called
// function would look taken, and lines inside it covered. The tests' processes
// get no REPOVISOR_CODE_CACHE (the rig passes no REPOVISOR_ variable on), so
// they use the default cache beside each program (packages/*/dist/bundle/).
// A folder put at that cache file's path can be neither read nor renamed over,
// which to the program is an unreadable cache: a normal compile, as documented.
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, rmSync, rmdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** The bundled programs run through a code cache: `packages/<pkg>/dist/bundle/*-program.cjs`. */
function programFiles(root) {
  const files = [];
  for (const pkg of readdirSync(join(root, 'packages'))) {
    const bundle = join(root, 'packages', pkg, 'dist', 'bundle');
    let names;
    try {
      names = readdirSync(bundle);
    } catch {
      continue;
    }
    for (const name of names) if (name.endsWith('-program.cjs')) files.push(join(bundle, name));
  }
  return files;
}

/**
 * The default cache file of `program`: `<program>.<digest>.v8cache` beside it, the
 * digest as scripts/build/bundle.mjs computes it. Checked against the executable,
 * which carries the digest: a build that named its caches otherwise would make
 * this guard silently useless.
 */
function cacheFileOf(program) {
  const digest = createHash('sha256').update(readFileSync(program)).digest('hex').slice(0, 16);
  const launchers = readdirSync(join(program, '..')).filter((name) => name.endsWith('.cjs') && !name.endsWith('-program.cjs') && !name.startsWith('vendor-'));
  if (!launchers.some((name) => readFileSync(join(program, '..', name), 'utf8').includes(JSON.stringify(digest)))) {
    throw new Error(
      `coverage: no executable beside ${program} names its digest ${digest}; the build (scripts/build/bundle.mjs) ` +
        'names code caches differently now: update scripts/coverage/code-cache-guard.mjs to match',
    );
  }
  return `${program}.${digest}.v8cache`;
}

/** Puts an empty folder at each program's default cache path (removing a cache file there); returns the folders. */
export function blockDefaultCodeCaches(root) {
  const blocked = [];
  for (const program of programFiles(root)) {
    const cache = cacheFileOf(program);
    rmSync(cache, { recursive: true, force: true });
    mkdirSync(cache);
    blocked.push(cache);
  }
  if (blocked.length === 0) throw new Error('coverage: no bundled program under packages/*/dist/bundle/; did the build run?');
  return blocked;
}

/** Removes the folders {@link blockDefaultCodeCaches} made (each only if still an empty folder). */
export function unblockDefaultCodeCaches(blocked) {
  for (const folder of blocked) {
    try {
      if (statSync(folder).isDirectory()) rmdirSync(folder);
    } catch {
      // Gone already (a rebuild), or not empty: leave it for the next build to remove.
    }
  }
}
