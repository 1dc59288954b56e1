/** Three tiers, as in Immich's server: pure domain units, services against real PostgreSQL, and HTTP end to end. */
const tsJest = { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }] };
const database = { globalSetup: '<rootDir>/test/support/global-setup.ts', globalTeardown: '<rootDir>/test/support/global-teardown.ts' };
const base = { testEnvironment: 'node', transform: tsJest, moduleFileExtensions: ['ts', 'js', 'json'] };

module.exports = {
  // Jest reads the timeout only at the top level, not per project.
  testTimeout: 60000,
  // npm test runs the files one at a time in one worker (--maxWorkers=1, not --runInBand), so
  // that the worker can be replaced once the apps, drivers and compiled modules of earlier
  // files have grown it: in one process the whole suite outgrew Node's 4 GB heap.
  workerIdleMemoryLimit: '1.5GB',
  reporters: ['default', '<rootDir>/test/support/summary-reporter.js'],
  projects: [
    { ...base, displayName: 'unit', testMatch: ['<rootDir>/src/**/*.spec.ts'] },
    { ...base, displayName: 'integration', testMatch: ['<rootDir>/test/integration/**/*.spec.ts'], ...database },
    { ...base, displayName: 'e2e', testMatch: ['<rootDir>/test/e2e/**/*.e2e-spec.ts'], ...database },
    // The pages in a real browser: Debian's chromium driven by playwright-core (test/browser/browser.ts).
    { ...base, displayName: 'browser', testMatch: ['<rootDir>/test/browser/**/*.spec.ts'], ...database },
  ],
};
