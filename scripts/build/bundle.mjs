// Bundles each program's entry point, after `tsc -b`, with esbuild: a program
// then starts by reading one file instead of resolving and compiling dozens
// of modules (docs/BENCHMARKS.md, "What each start-up trick buys"). tsc stays
// the type checker and still writes dist/ for the packages' library use and
// the tests; only the programs run from the bundles.
// Usage: node scripts/build/bundle.mjs
//
// Both programs are CommonJS, although their sources are ES modules: node
// starts a CommonJS main sooner than an ES module graph (no ES module loader,
// no linking), and a CommonJS program can run through a V8 code cache. Each
// program is:
// - the program itself (`<name>-program.cjs`): all of our own code, one copy
//   of each module, so that `instanceof` holds everywhere in the program. Its
//   lazy imports (`await import(…)`, all of them in the package's
//   src/lazy-modules.ts) stay lazy: the imported module's code is in the file
//   but runs on first use;
// - `vendor` packages, one file each (`vendor-express.cjs`…), required on first
//   use, so that a process that never needs express does not even read it;
// - the executable (`repo-worker.cjs`, `supervisor.cjs`, from the package's
//   src/bin/*.cts), which runs the program through a V8 code cache named
//   after the program's digest (@repovisor/kit's run-cached-program.cts).
//   A program run by `vm.Script` has no `import()`, so lazy imports are
//   lowered to `require()`.
import { createHash } from 'node:crypto';
import { chmod, readFile, rm } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/**
 * The programs: their compiled entry, where the bundle goes, the packages each
 * requires from a file of their own (`vendor`), and its executable (`launcher`).
 */
export const PROGRAMS = [
  {
    name: 'repo-worker-program',
    entry: 'packages/worker/dist/main.js',
    outdir: 'packages/worker/dist/bundle',
    // Needed only by a request other than `GET /healthz`, which may never come.
    vendor: ['express', 'ws'],
    launcher: { name: 'repo-worker', entry: 'packages/worker/dist/bin/repo-worker.cjs' },
  },
  {
    name: 'supervisor-program',
    entry: 'packages/supervisor/dist/cli/main.js',
    outdir: 'packages/supervisor/dist/bundle',
    // Each is needed only by a request or a command that may never come (the
    // express app, the /api/runtimes proxy, GET /metrics, a terminal's pretty
    // logs). None shares a class with another or with our code, so a copy of
    // its own cannot break an `instanceof`.
    vendor: ['express', 'http-proxy-middleware', 'prom-client', 'pino-pretty', 'ws'],
    launcher: { name: 'supervisor', entry: 'packages/supervisor/dist/bin/supervisor.cjs' },
  },
];

// `import.meta` in a CommonJS bundle (packages/supervisor/src/launch/worker-entry.ts
// uses it): the bundle file's `dirname` and `filename`, and its `url`, worked
// out on first use only, because `pathToFileURL` costs a starting process
// time (docs/BENCHMARKS.md). The banner comes before esbuild's own "use strict", so it starts with
// one: our sources are ES modules, strict throughout, and must stay so.
const IMPORT_META_BANNER =
  "'use strict';const __repovisorImportMeta = { dirname: __dirname, filename: __filename, get url() { return require('node:url').pathToFileURL(__filename).href; } };";

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

function bytesOf(result, file) {
  return Object.entries(result.metafile.outputs).find(([path]) => path.endsWith(file))?.[1].bytes ?? 0;
}

/** An esbuild plugin leaving each vendor package out of the bundle, required from its own file `./vendor-<name>.cjs`. */
function vendorModules(names) {
  return {
    name: 'repovisor-vendor-modules',
    setup(builder) {
      for (const name of names) {
        const filter = new RegExp(`^${name.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}$`);
        builder.onResolve({ filter }, () => ({ path: `./vendor-${name}.cjs`, external: true }));
      }
    },
  };
}

for (const program of PROGRAMS) {
  const outdir = ROOT + program.outdir;
  await rm(outdir, { recursive: true, force: true });
  const started = performance.now();
  const mainFile = `${program.name}.cjs`;
  const result = await build({
    ...COMMON,
    entryPoints: [program.entry],
    outfile: `${outdir}/${mainFile}`,
    format: 'cjs',
    // `import('./x.js')` becomes `Promise.resolve().then(() => require(…))`, or the module's deferred init.
    supported: { 'dynamic-import': false },
    define: { 'import.meta': '__repovisorImportMeta' },
    banner: { js: IMPORT_META_BANNER },
    plugins: [vendorModules(program.vendor)],
  });
  for (const name of program.vendor) {
    // Resolved from the program's package, as the bundled program would have.
    const resolveDir = ROOT + program.entry.replace(/\/dist\/.*$/, '');
    await build({
      ...COMMON,
      stdin: { contents: `module.exports = require(${JSON.stringify(name)});`, resolveDir, sourcefile: `vendor-${name}.cjs`, loader: 'js' },
      outfile: `${outdir}/vendor-${name}.cjs`,
      format: 'cjs',
    });
  }
  const launcherFile = `${outdir}/${program.launcher.name}.cjs`;
  // The executable names the code cache after the program it runs.
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
  process.stdout.write(
    `bundled ${program.name}: ${program.outdir}/${mainFile} (${Math.round(bytesOf(result, mainFile) / 1024)} KiB) in ${Math.round(performance.now() - started)} ms\n`,
  );
}
