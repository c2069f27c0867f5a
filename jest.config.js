// Four kinds of tests, each its own project:
//   unit       pure functions, provider clients against the in-process sandbox, activities
//   workflows  workflow tests on the time-skipping test server (one server per test file)
//   e2e        the dev server started by the harness, a worker and the HTTP API together
//   faults     worker kills, server crashes and provider storms (CI scale; `npm run test:faults` = full)
const transform = {
  '^.+\\.ts$': ['@swc/jest', { jsc: { target: 'es2022', parser: { syntax: 'typescript' } } }],
  // ESM-only dev dependencies (the OpenAPI validator) are compiled to CommonJS for Jest.
  '^.+\\.m?js$': ['@swc/jest', { jsc: { target: 'es2022' }, module: { type: 'commonjs' } }],
};
const common = {
  testEnvironment: 'node',
  transform,
  transformIgnorePatterns: ['/node_modules/(?!@seriousme/)'],
  moduleFileExtensions: ['ts', 'js', 'mjs', 'json'],
};

module.exports = {
  // Workflow and end-to-end tests start real Temporal servers; a slow 2-core CI machine needs room.
  testTimeout: 180_000,
  reporters: ['default', '<rootDir>/test/helpers/summary-reporter.js'],
  projects: [
    {
      ...common,
      displayName: 'unit',
      testMatch: [
        '<rootDir>/test/unit/**/*.test.ts',
        '<rootDir>/test/providers/**/*.test.ts',
        '<rootDir>/test/sandbox/**/*.test.ts',
        '<rootDir>/test/properties/**/*.test.ts',
      ],
    },
    {
      ...common,
      displayName: 'workflows',
      testMatch: ['<rootDir>/test/workflows/**/*.test.ts'],
      globalSetup: '<rootDir>/test/helpers/global-setup.ts',
    },
    {
      ...common,
      displayName: 'e2e',
      testMatch: ['<rootDir>/test/e2e/**/*.test.ts'],
      globalSetup: '<rootDir>/test/helpers/global-setup.ts',
    },
    {
      ...common,
      displayName: 'faults',
      testMatch: ['<rootDir>/test/faults/**/*.test.ts'],
      globalSetup: '<rootDir>/test/helpers/global-setup.ts',
    },
  ],
};
