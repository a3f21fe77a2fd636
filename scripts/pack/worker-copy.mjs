// The supervisor package's `prepack` and `postpack` (packages/supervisor/package.json):
// a packed @repovisor/supervisor carries the worker's built bundle in
// dist/worker/ (a folder findWorkerPackage looks in, see
// packages/supervisor/src/launch/worker-entry.ts), so that `npm install -g`
// of the tarball needs nothing else: every bundle is self-contained esbuild
// output. Usage: node scripts/pack/worker-copy.mjs add|remove
import { cp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const WORKER = `${ROOT}packages/worker`;
const COPY = `${ROOT}packages/supervisor/dist/worker`;
/** What the packed supervisor runs: missing means the tree was never built. */
const NEEDED = [
  'packages/supervisor/dist/bundle/supervisor.cjs',
  'packages/supervisor/dist/bundle/supervisor-program.cjs',
  'packages/worker/dist/bundle/repo-worker.cjs',
  'packages/worker/dist/bundle/repo-worker-program.cjs',
];

async function exists(file) {
  return stat(file).then(() => true, () => false);
}

async function add() {
  const missing = [];
  for (const file of NEEDED) if (!(await exists(ROOT + file))) missing.push(file);
  if (missing.length > 0) {
    process.stderr.write(`Cannot pack @repovisor/supervisor: ${missing.join(', ')} missing. Run \`npm run build\` first.\n`);
    process.exit(1);
  }
  await rm(COPY, { recursive: true, force: true });
  // A code cache written by a run of the checkout is of no use elsewhere (it is written again on the first start).
  await cp(`${WORKER}/dist/bundle`, `${COPY}/dist/bundle`, { recursive: true, filter: (source) => !source.endsWith('.v8cache') && !source.endsWith('.tmp') });
  const worker = JSON.parse(await readFile(`${WORKER}/package.json`, 'utf8'));
  // Only what findWorkerPackage reads (the name) and a reader needs; no dependencies: the bundle has them inside.
  const manifest = { name: worker.name, version: worker.version, private: true, description: worker.description, license: worker.license };
  await writeFile(`${COPY}/package.json`, `${JSON.stringify(manifest, null, 2)}\n`);
}

const command = process.argv[2];
if (command === 'add') await add();
else if (command === 'remove') await rm(COPY, { recursive: true, force: true });
else {
  process.stderr.write('Usage: node scripts/pack/worker-copy.mjs add|remove\n');
  process.exit(2);
}
