// Bundles each program's entry point, after `tsc -b`, into one ES module file
// (plus a chunk per lazily imported part) with esbuild: a worker then starts
// by reading one file instead of resolving and compiling dozens of modules
// (see docs/BENCHMARKS.md). tsc stays the type checker and still writes
// dist/ for the packages' library use and the tests; only the programs run
// from the bundles. Usage: node scripts/build/bundle.mjs
import { chmod, rm } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** The programs: their compiled entry and where the bundle goes. */
export const PROGRAMS = [
  { name: 'repo-worker', entry: 'packages/worker/dist/main.js', outdir: 'packages/worker/dist/bundle' },
  { name: 'supervisor', entry: 'packages/supervisor/dist/cli/main.js', outdir: 'packages/supervisor/dist/bundle' },
];

// A package imported lazily (`await import('pkg')`) must be imported through a
// module of our own that re-exports what is used (see
// packages/supervisor/src/http/proxy-library.ts): esbuild gives a lazily
// imported CommonJS chunk only a default export, so named imports would be
// undefined in the bundle although they work unbundled.
//
// Bundled CommonJS dependencies (express, pino) call require() for Node's
// own modules; an ES module has none, so each output file makes one.
const BANNER = "import { createRequire as __repovisorCreateRequire } from 'node:module';\nconst require = __repovisorCreateRequire(import.meta.url);";

for (const program of PROGRAMS) {
  const outdir = ROOT + program.outdir;
  await rm(outdir, { recursive: true, force: true });
  const started = performance.now();
  const result = await build({
    absWorkingDir: ROOT,
    entryPoints: { [program.name]: program.entry },
    outdir,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    chunkNames: 'chunks/[name]-[hash]',
    sourcemap: 'linked',
    minifyWhitespace: true,
    minifySyntax: true,
    banner: { js: BANNER },
    legalComments: 'linked',
    metafile: true,
    logLevel: 'warning',
  });
  const main = `${outdir}/${program.name}.js`;
  await chmod(main, 0o755);
  const bytes = Object.entries(result.metafile.outputs).find(([path]) => path.endsWith(`${program.name}.js`))?.[1].bytes ?? 0;
  process.stdout.write(`bundled ${program.name}: ${program.outdir}/${program.name}.js (${Math.round(bytes / 1024)} KiB) in ${Math.round(performance.now() - started)} ms\n`);
}
