/** Three tiers, as in Immich's server: pure domain units, services against real PostgreSQL, and HTTP end to end. */
const tsJest = { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }] };
const base = { testEnvironment: 'node', transform: tsJest, moduleFileExtensions: ['ts', 'js', 'json'] };

module.exports = {
  projects: [
    { ...base, displayName: 'unit', testMatch: ['<rootDir>/src/**/*.spec.ts'] },
    { ...base, displayName: 'integration', testMatch: ['<rootDir>/test/integration/**/*.spec.ts'], globalSetup: '<rootDir>/test/support/global-setup.ts', testTimeout: 60000 },
    { ...base, displayName: 'e2e', testMatch: ['<rootDir>/test/e2e/**/*.e2e-spec.ts'], globalSetup: '<rootDir>/test/support/global-setup.ts', testTimeout: 60000 },
  ],
};
