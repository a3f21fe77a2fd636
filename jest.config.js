/**
 * Jest runs the TypeScript sources directly through ts-jest in ESM mode.
 * The packages are ESM (execa 9 is ESM-only), so jest needs Node's
 * --experimental-vm-modules; `npm run jest` passes it.
 * Type checking is done once by `tsc` in `npm test`, so ts-jest only transpiles.
 *
 * @type {import('jest').Config}
 */
export default {
  testEnvironment: 'node',
  roots: ['<rootDir>/packages', '<rootDir>/tests'],
  testMatch: ['**/*.test.ts'],
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: {
    '^@repovisor/(kit|protocol|worker|supervisor)$': '<rootDir>/packages/$1/src/index.ts',
    '^@repovisor/kit/promised-fs$': '<rootDir>/packages/kit/src/promised-fs.ts',
    '^@repovisor/kit/process-identity$': '<rootDir>/packages/kit/src/process-identity.ts',
    '^(\\.{1,2}/.*)\\.js$': '$1',
  },
  transform: {
    '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: '<rootDir>/tsconfig.test.json' }],
  },
  testTimeout: 60_000,
  // Integration tests start real processes; two workers match the two cores.
  maxWorkers: 2,
};
