/** Jest: TypeScript through SWC (with decorator metadata, which type-graphql and MikroORM read). */
const swc = [
  '@swc/jest',
  {
    jsc: {
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true },
      target: 'es2022',
      keepClassNames: true,
    },
    // `import()` stays native: the embedded PostgreSQL (an ES module) is loaded only by global setup.
    module: { type: 'commonjs', ignoreDynamic: true },
  },
];

/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/tests'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.(t|j)s$': swc },
  setupFiles: ['reflect-metadata'],
  globalSetup: '<rootDir>/tests/utils/global-setup.ts',
  globalTeardown: '<rootDir>/tests/utils/global-teardown.ts',
  testTimeout: 60_000,
  // Two cores: two workers, each with its own databases.
  maxWorkers: 2,
};
