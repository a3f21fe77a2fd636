// Mutation testing of the pure decision modules: `npm run test:mutation`.
// Not part of `npm test`; the score is recorded in docs/RELIABILITY.md ("Mutation testing").
import jestConfig from './jest.config.js';

/** The unit tests of the mutated modules; the process-level suite (tests/) is left out. */
const unitTests = [
  '<rootDir>/packages/protocol/test/*.test.ts',
  '<rootDir>/packages/supervisor/test/restart-policy.test.ts',
  '<rootDir>/packages/supervisor/test/config-schema.test.ts',
  '<rootDir>/packages/worker/test/pipeline-transitions.test.ts',
];

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  packageManager: 'npm',
  testRunner: 'jest',
  // ts-jest runs the packages as ESM, which needs the VM modules flag in the runner's process too.
  testRunnerNodeArgs: ['--experimental-vm-modules', '--disable-warning=ExperimentalWarning'],
  jest: {
    projectType: 'custom',
    config: {
      ...jestConfig,
      roots: ['<rootDir>/packages'],
      testMatch: unitTests,
      // Stryker runs the tests in its own processes (`concurrency`); one jest worker each.
      maxWorkers: 1,
    },
    enableFindRelatedTests: true,
  },
  checkers: ['typescript'],
  // The solution file references every package, so the checker type-checks the worker's transitions as well as the supervisor's and the protocol's modules.
  tsconfigFile: 'tsconfig.json',
  typescriptChecker: { prioritizePerformanceOverAccuracy: true },
  coverageAnalysis: 'perTest',
  // A static mutant (code run once, when its module loads: schema definitions, regexes) has no per-test
  // coverage, so it reruns every related test file; 7 % of the mutants took 44 % of the run.
  ignoreStatic: true,
  mutate: [
    'packages/supervisor/src/manager/restart-policy.ts',
    'packages/supervisor/src/config/config-schema.ts',
    'packages/protocol/src/messages.ts',
    'packages/protocol/src/line-reader.ts',
    'packages/protocol/src/line-writer.ts',
    'packages/protocol/src/connection.ts',
    'packages/protocol/src/pending-requests.ts',
    'packages/protocol/src/handler-registry.ts',
    'packages/protocol/src/errors.ts',
    'packages/protocol/src/slug.ts',
    'packages/worker/src/pipeline/tasks/transitions.ts',
  ],
  // Two cores are shared with the rest of the machine.
  concurrency: 2,
  // Added to the normal run time (which includes jest's start-up); a mutant that makes a test hang is a timeout, counted as detected.
  timeoutMS: 3000,
  reporters: ['clear-text', 'progress', 'html', 'json'],
  htmlReporter: { fileName: 'reports/mutation/index.html' },
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  tempDirName: 'reports/mutation/.stryker-tmp',
  // Later runs retest only the mutants whose code or covering tests changed; `--force` retests all.
  incremental: true,
  incrementalFile: 'reports/mutation/stryker-incremental.json',
  thresholds: { high: 90, low: 80, break: 80 },
};
