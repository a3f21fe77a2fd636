// Bundles each program's entry point, after `tsc -b`, with esbuild: a program
// then starts by reading one file instead of resolving and compiling dozens
// of modules (see docs/BENCHMARKS.md). tsc stays the type checker and still
// writes dist/ for the packages' library use and the tests; only the programs
// run from the bundles. Usage: node scripts/build/bundle.mjs
//
// - The supervisor is one ES module plus a chunk per lazily imported part.
// - The worker, started 100 times at once, is CommonJS: node loads a
//   CommonJS main ~8 ms of CPU sooner than an ES module graph (no ES module
//   loader, no linking; docs/BENCHMARKS.md). Three files: the program
//   (`repo-worker-program.cjs`); its express app (`worker-app.cjs`,
//   `/api/runtimes`, required on the first request other than /healthz); and
//   the executable `repo-worker.cjs` (packages/worker/src/bin/repo-worker.cts),
//   which runs the program through a V8 code cache. A program run by
//   `vm.Script` has no `import()`, so the program's lazy imports are lowered
//   to `require()`.
import { createHash } from 'node:crypto';
import { chmod, readFile, rm } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/**
 * The programs: their compiled entry, where the bundle goes, its format; for
 * a CommonJS program, the modules it imports lazily, each bundled as a
 * CommonJS file of its own (`lazy[].from` is the import specifier in tsc's
 * output), and the executable that runs it (`launcher`).
 */
export const PROGRAMS = [
  {
    name: 'repo-worker-program',
    entry: 'packages/worker/dist/main.js',
    outdir: 'packages/worker/dist/bundle',
    format: 'cjs',
    lazy: [{ from: './worker-app.js', entry: 'packages/worker/dist/http/worker-app.js', name: 'worker-app' }],
    launcher: { name: 'repo-worker', entry: 'packages/worker/dist/bin/repo-worker.cjs' },
  },
  { name: 'supervisor', entry: 'packages/supervisor/dist/cli/main.js', outdir: 'packages/supervisor/dist/bundle', format: 'esm', lazy: [] },
];

// A package imported lazily (`await import('pkg')`) must be imported through a
// module of our own that re-exports what is used (see
// packages/supervisor/src/http/proxy-library.ts): esbuild gives a lazily
// imported CommonJS chunk only a default export, so named imports would be
// undefined in the bundle although they work unbundled.
//
// Bundled CommonJS dependencies (express, pino) call require() for Node's
// own modules; an ES module has none, so each ES module output file makes one.
const ESM_BANNER = "import { createRequire as __repovisorCreateRequire } from 'node:module';\nconst require = __repovisorCreateRequire(import.meta.url);";

const COMMON = {
  absWorkingDir: ROOT,
  bundle: true,
  platform: 'node',
  target: 'node20',
  sourcemap: 'linked',
  minifyWhitespace: true,
  minifySyntax: true,
  legalComments: 'linked',
  metafile: true,
  logLevel: 'warning',
};

/** An esbuild plugin leaving each lazily imported module out of the bundle, required from its own file `./<name>.cjs`. */
function lazyModules(lazy) {
  return {
    name: 'repovisor-lazy-modules',
    setup(builder) {
      for (const { from, name } of lazy) {
        const filter = new RegExp(`^${from.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}$`);
        builder.onResolve({ filter }, () => ({ path: `./${name}.cjs`, external: true }));
      }
    },
  };
}

function bytesOf(result, file) {
  return Object.entries(result.metafile.outputs).find(([path]) => path.endsWith(file))?.[1].bytes ?? 0;
}

for (const program of PROGRAMS) {
  const outdir = ROOT + program.outdir;
  await rm(outdir, { recursive: true, force: true });
  const started = performance.now();
  const mainFile = `${program.name}.${program.format === 'cjs' ? 'cjs' : 'js'}`;
  const result =
    program.format === 'cjs'
      ? await build({
          ...COMMON,
          entryPoints: [program.entry],
          outfile: `${outdir}/${mainFile}`,
          format: 'cjs',
          // `import('./x.cjs')` becomes `Promise.resolve().then(() => require('./x.cjs'))`.
          supported: { 'dynamic-import': false },
          plugins: [lazyModules(program.lazy)],
        })
      : await build({
          ...COMMON,
          entryPoints: { [program.name]: program.entry },
          outdir,
          splitting: true,
          format: 'esm',
          chunkNames: 'chunks/[name]-[hash]',
          banner: { js: ESM_BANNER },
        });
  for (const lazy of program.lazy) {
    await build({ ...COMMON, entryPoints: [lazy.entry], outfile: `${outdir}/${lazy.name}.cjs`, format: 'cjs' });
  }
  if (program.launcher !== undefined) {
    const launcherFile = `${outdir}/${program.launcher.name}.cjs`;
    // The launcher names its code cache after the program it runs (see src/bin/repo-worker.cts).
    const digest = createHash('sha256').update(await readFile(`${outdir}/${mainFile}`)).digest('hex').slice(0, 16);
    await build({
      ...COMMON,
      entryPoints: [program.launcher.entry],
      outfile: launcherFile,
      format: 'cjs',
      banner: { js: '#!/usr/bin/env node' },
      define: { REPOVISOR_PROGRAM_DIGEST: JSON.stringify(digest) },
    });
    await chmod(launcherFile, 0o755);
  }
  await chmod(`${outdir}/${mainFile}`, 0o755);
  process.stdout.write(
    `bundled ${program.name}: ${program.outdir}/${mainFile} (${Math.round(bytesOf(result, mainFile) / 1024)} KiB) in ${Math.round(performance.now() - started)} ms\n`,
  );
}
