// The supervisor package's `prepack` and `postpack` (packages/supervisor/package.json).
// A packed @repovisor/supervisor carries the worker's built bundle in
// dist/worker/ (a folder findWorkerPackage looks in, see
// packages/supervisor/src/launch/worker-entry.ts), so that `npm install -g`
// of the tarball needs nothing else: every bundle is self-contained esbuild
// output. Its package.json names only what it ships: the library entry
// (`exports`, `types`: dist/index.js, tsc output that needs the workspace's
// packages) is the checkout's alone, so `add` writes the manifest without it
// and `remove` puts the checkout's back byte for byte.
// Usage: node scripts/pack/worker-copy.mjs add|remove
import { cp, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const WORKER = `${ROOT}packages/worker`;
const COPY = `${ROOT}packages/supervisor/dist/worker`;
const MANIFEST = `${ROOT}packages/supervisor/package.json`;
// Outside the package's `files`, so never packed; a pack that failed before postpack leaves it for the next add or remove.
const CHECKOUT_MANIFEST = `${ROOT}packages/supervisor/.package.json.checkout`;
/** The manifest keys that name the library entry, which a packed package does not ship. */
const LIBRARY_KEYS = ['exports', 'types', 'main', 'module', 'typings'];
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
  await writePackedManifest();
}

/** Keeps the checkout's package.json aside and writes the packed one in its place. */
async function writePackedManifest() {
  await restoreManifest();
  const text = await readFile(MANIFEST, 'utf8');
  const packed = JSON.parse(text);
  for (const key of LIBRARY_KEYS) delete packed[key];
  await writeFile(CHECKOUT_MANIFEST, text);
  await writeFile(`${MANIFEST}.tmp`, `${JSON.stringify(packed, null, 2)}\n`);
  await rename(`${MANIFEST}.tmp`, MANIFEST);
}

/** Puts the checkout's package.json back, when it was kept aside. */
async function restoreManifest() {
  if (await exists(CHECKOUT_MANIFEST)) await rename(CHECKOUT_MANIFEST, MANIFEST);
}

async function remove() {
  await rm(COPY, { recursive: true, force: true });
  await restoreManifest();
}

const command = process.argv[2];
if (command === 'add') await add();
else if (command === 'remove') await remove();
else {
  process.stderr.write('Usage: node scripts/pack/worker-copy.mjs add|remove\n');
  process.exit(2);
}
