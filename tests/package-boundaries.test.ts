import { afterEach, describe, expect, it } from '@jest/globals';
import { cp, mkdir, readFile, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { ESLint } from 'eslint';
import tseslint from 'typescript-eslint';
import { ChildProcesses } from './helpers/child-processes.js';
import { REPO_ROOT } from './helpers/paths.js';
import { TempDirs } from './helpers/temp-dir.js';

// The package boundaries: each package builds alone from its own project
// references on a tree that has never been built, and the lint rule refuses
// an import across a boundary.

const temp = new TempDirs();
const children = new ChildProcesses();

afterEach(async () => {
  await children.killAll();
  await temp.cleanup();
});

const PACKAGES = ['kit', 'protocol', 'worker', 'supervisor'] as const;

/** A copy of the checkout's sources and configuration, with no dist/ anywhere, sharing its node_modules. */
async function cleanTree(): Promise<string> {
  const root = await temp.make('boundaries-');
  for (const file of ['tsconfig.base.json', 'tsconfig.json', 'package.json']) await cp(join(REPO_ROOT, file), join(root, file));
  await symlink(join(REPO_ROOT, 'node_modules'), join(root, 'node_modules'));
  for (const name of PACKAGES) {
    const from = join(REPO_ROOT, 'packages', name);
    const to = join(root, 'packages', name);
    await mkdir(to, { recursive: true });
    for (const entry of ['package.json', 'tsconfig.json', 'src']) await cp(join(from, entry), join(to, entry), { recursive: true });
  }
  // The workspace links point at the checkout's packages; in the copy they must point at the copy's.
  const scoped = join(root, 'scoped-modules', '@repovisor');
  await mkdir(scoped, { recursive: true });
  for (const name of PACKAGES) await symlink(join(root, 'packages', name), join(scoped, name));
  return root;
}

describe('package boundaries', () => {
  it.each(PACKAGES)('builds @repovisor/%s alone with `tsc -b` on a tree never built', async (name) => {
    const root = await cleanTree();
    // Resolution of @repovisor/* from the copy goes to the copy's packages, through a node_modules of their own beside the sources.
    for (const pkg of PACKAGES) {
      const modules = join(root, 'packages', pkg, 'node_modules');
      await mkdir(modules, { recursive: true });
      await symlink(join(root, 'scoped-modules', '@repovisor'), join(modules, '@repovisor'));
    }
    const tsc = children.start(process.execPath, [join(REPO_ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-b', join('packages', name)], { cwd: root });
    const { code } = await tsc.exited;
    expect({ code, output: tsc.stdout() + tsc.stderr() }).toEqual({ code: 0, output: '' });
    // It built what it references and nothing else.
    const built = await Promise.all(
      PACKAGES.map((pkg) => readFile(join(root, 'packages', pkg, 'dist', 'index.js'), 'utf8').then(() => pkg, () => undefined)),
    );
    const references = JSON.parse(await readFile(join(REPO_ROOT, 'packages', name, 'tsconfig.json'), 'utf8')) as { references?: { path: string }[] };
    const expected = [name, ...(references.references ?? []).map((reference) => reference.path.replace('../', ''))];
    expect(built.filter((pkg) => pkg !== undefined).sort()).toEqual([...new Set(expected)].sort());
  });

  it('lints an import of the worker from the supervisor, of the supervisor from the worker, and files from the protocol as errors', async () => {
    // The probes are not files of a TypeScript project, so the type-aware rules are off for them.
    const eslint = new ESLint({ cwd: REPO_ROOT, overrideConfig: tseslint.configs.disableTypeChecked });
    const lint = async (file: string, text: string): Promise<string[]> => {
      const [result] = await eslint.lintText(text, { filePath: join(REPO_ROOT, file) });
      return (result?.messages ?? []).filter((message) => message.ruleId === 'no-restricted-imports').map((message) => message.message);
    };
    const use = (line: string): string => `${line}\nexport const used = [imported];\n`;
    expect(await lint('packages/supervisor/src/boundary-probe.ts', use("import { RepoRuntime as imported } from '@repovisor/worker';"))).toEqual([
      expect.stringContaining('@repovisor/worker is outside this package'),
    ]);
    expect(await lint('packages/worker/src/boundary-probe.ts', use("import { startSupervisor as imported } from '@repovisor/supervisor';"))).toEqual([
      expect.stringContaining('@repovisor/supervisor is outside this package'),
    ]);
    expect(await lint('packages/supervisor/src/boundary-probe.ts', use("import { RepoRuntime as imported } from '../../worker/src/index.js';"))).toEqual([
      expect.stringContaining('never by a relative path into it'),
    ]);
    expect(await lint('packages/protocol/src/boundary-probe.ts', use("import { readFileSync as imported } from 'node:fs';"))).toEqual([
      expect.stringContaining('wire code only'),
    ]);
    expect(await lint('packages/kit/src/boundary-probe.ts', use("import { Connection as imported } from '@repovisor/protocol';"))).toEqual([
      expect.stringContaining('@repovisor/protocol is outside this package'),
    ]);
    // What the boundaries allow passes.
    expect(await lint('packages/supervisor/src/boundary-probe.ts', use("import { Connection as imported } from '@repovisor/protocol';"))).toEqual([]);
    expect(await lint('packages/worker/src/boundary-probe.ts', use("import { SerialQueue as imported } from '@repovisor/kit';"))).toEqual([]);
  });
});
