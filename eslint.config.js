// Typed lint: floating promises are errors, type-only imports are marked as such.
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', 'coverage/**', 'examples/repos/**', 'reports/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        project: ['./tsconfig.test.json', './packages/*/tsconfig.json'],
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  // Package boundaries: kit depends on none of ours; protocol is wire code only (kit
  // for its utilities, no files, processes, HTTP or crypto); the two programs never
  // import each other (the supervisor finds the worker's executable on disk). A
  // relative path out of a package's own folder is refused for the same reason.
  ...packageBoundaries(),
  {
    // A CommonJS TypeScript file under verbatimModuleSyntax imports with `import x = require('…')`;
    // a CommonJS JavaScript file (a test's `node -r` preload) with require().
    files: ['**/*.cts', '**/*.cjs'],
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    files: ['**/*.js', '**/*.mjs', '**/*.cjs'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: { ...tseslint.configs.disableTypeChecked.languageOptions, globals: globals.node },
  },
);

/** One `no-restricted-imports` block per package: what its sources may not import. */
function packageBoundaries() {
  const ours = (...names) => names.map((name) => ({ group: [`@repovisor/${name}`, `@repovisor/${name}/*`], message: `@repovisor/${name} is outside this package's boundary (see docs/ARCHITECTURE.md, "Packages").` }));
  const escapes = { regex: '^(\\.\\./)+(kit|protocol|worker|supervisor)/', message: 'Import another package by its name (@repovisor/…), never by a relative path into it.' };
  const systemAccess = ['node:fs', 'node:fs/promises', 'node:child_process', 'node:http', 'node:https', 'node:crypto'].map((name) => ({
    name,
    message: '@repovisor/protocol is wire code only: no files, processes, HTTP or crypto (those belong in @repovisor/kit or a program).',
  }));
  const block = (name, forbidden, paths = []) => ({
    files: [`packages/${name}/src/**/*.ts`, `packages/${name}/src/**/*.cts`],
    rules: { 'no-restricted-imports': ['error', { paths, patterns: [...forbidden, escapes] }] },
  });
  return [
    block('kit', ours('protocol', 'worker', 'supervisor')),
    block('protocol', ours('worker', 'supervisor'), systemAccess),
    block('worker', ours('supervisor')),
    block('supervisor', ours('worker')),
  ];
}

