/** Tests run the TypeScript sources through SWC (3x faster than ts-jest; decorator metadata kept for NestJS). */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.spec.ts', '**/*.int-spec.ts', '**/*.e2e-spec.ts'],
  transform: {
    '^.+\\.ts$': [
      '@swc/jest',
      {
        jsc: {
          parser: { syntax: 'typescript', decorators: true },
          transform: { legacyDecorator: true, decoratorMetadata: true },
          target: 'es2022',
        },
        module: { type: 'commonjs' },
      },
    ],
  },
  testTimeout: 60000,
  // Shared fixtures (an empty-store template, a folder for the demo store): docs/architecture.md, "Test fixtures and CI time".
  globalSetup: '<rootDir>/test/support/global-setup.js',
  globalTeardown: '<rootDir>/test/support/global-teardown.js',
  // Every run ends with its slowest files, so each CI log says where the time went.
  reporters: ['default', '<rootDir>/test/support/slowest-files-reporter.js'],
};
