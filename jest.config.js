/**
 * One jest run covers the three tiers: unit (`*.spec.ts` beside the source), medium
 * (`*.medium-spec.ts`, real Postgres/Redis) and e2e (`test/e2e/**`, the real app).
 * SWC compiles TypeScript (with decorator metadata for Nest's DI); `npm run typecheck`
 * is where types are checked.
 */
const swc = {
  swcrc: false,
  jsc: {
    parser: { syntax: 'typescript', decorators: true },
    transform: { legacyDecorator: true, decoratorMetadata: true },
    target: 'es2022',
    keepClassNames: true,
  },
  module: { type: 'commonjs' },
  sourceMaps: 'inline',
};

/** @type {import('jest').Config} */
module.exports = {
  rootDir: __dirname,
  testEnvironment: 'node',
  testMatch: ['<rootDir>/{apps,libs,test,bench}/**/*.{spec,medium-spec,e2e-spec}.ts'],
  // jose 6 ships ESM only: Node 20 loads it with require(esm), jest's module system cannot,
  // so SWC compiles it to CommonJS for tests. Likewise otplib's default plugins' deps
  // (@noble/hashes, @scure/base), openid-client 6 and its oauth4webapi, and the OIDC
  // stand-in oauth2-mock-server (shipped as .mjs) with its ESM-only is-plain-obj.
  transform: { '^.+\\.(t|j|mj)s$': ['@swc/jest', swc] },
  transformIgnorePatterns: [
    '/node_modules/(?!(?:jose|@noble/hashes|@scure/base|openid-client|oauth4webapi|oauth2-mock-server|is-plain-obj)/)',
  ],
  moduleNameMapper: {
    '^@identity/testing$': '<rootDir>/test/support',
    '^@identity/([a-z-]+)$': '<rootDir>/libs/$1/src',
  },
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
  testTimeout: 30000,
  maxWorkers: 2,
};
